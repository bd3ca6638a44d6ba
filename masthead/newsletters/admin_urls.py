"""The newsletters' admin pages, under /admin/newsletters/ (registered in wagtail_hooks)."""

from django.urls import path

from masthead.newsletters import admin_views, import_views

urlpatterns = [
    path("sends/", admin_views.send_list, name="sends"),
    path("sends/<id:send_id>/", admin_views.send_detail, name="send"),
    path("sends/<id:send_id>/pause/", admin_views.pause_send, name="pause"),
    path("sends/<id:send_id>/resume/", admin_views.resume_send, name="resume"),
    path("pages/<id:page_id>/mail/", admin_views.page_mail, name="page_mail"),
    path("pages/<id:page_id>/mail/preview/", admin_views.page_mail_preview, name="page_mail_preview"),
    path("subscribers/import/", import_views.import_subscribers, name="import"),
    path("subscribers/import/<id:import_id>/confirm/", import_views.confirm_import, name="confirm_import"),
]
