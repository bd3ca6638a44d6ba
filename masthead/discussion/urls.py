"""Addresses of the discussion's reader pages, form posts and JSON API."""

from django.urls import path

from masthead.discussion import views
from masthead.discussion.api import api

app_name = "discussion"
urlpatterns = [
    path("api/", api.urls),
    path("<id:page_id>/", views.thread, name="thread"),
    path("<id:page_id>/sort/<str:sort>/", views.choose_sort, name="sort"),
    path("<id:page_id>/post/", views.post_comment, name="post"),
    path("<id:page_id>/subscribe/", views.subscribe, name="subscribe"),
    path("comment/<id:comment_id>/", views.permalink, name="permalink"),
    path("comment/<id:comment_id>/vote/", views.vote, name="vote"),
    path("comment/<id:comment_id>/reply/", views.reply, name="reply"),
    path("comment/<id:comment_id>/edit/", views.edit, name="edit"),
    path("comment/<id:comment_id>/delete/", views.delete, name="delete"),
    path("comment/<id:comment_id>/report/", views.report, name="report"),
    path("unsubscribe/<token:token>/", views.unsubscribe, name="unsubscribe"),
    path("confirm/<token:token>/", views.confirm_guest, name="confirm_guest"),
]
