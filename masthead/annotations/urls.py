"""Addresses of inline feedback: reader pages under the article's id, and the JSON API."""

from django.urls import path

from masthead.annotations import views
from masthead.annotations.api import api

app_name = "annotations"
urlpatterns = [
    path("annotations/api/", api.urls),
    path("articles/<id:page_id>/", views.article_redirect, name="article"),
    path("articles/<id:page_id>/annotations.jsonld", views.export, name="export"),
    path("articles/<id:page_id>/inline-feedback/", views.inline_thread, name="thread"),
    path("articles/<id:page_id>/inline-feedback/post/", views.post_inline_comment, name="post"),
    path("articles/<id:page_id>/inline-feedback/passage/<id:anchor_id>/", views.passage_comments,
         name="passage"),
]
