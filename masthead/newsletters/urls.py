"""Newsletter pages: /subscribe/ and /newsletters/..."""

from django.urls import path

from masthead.newsletters import views, webhooks

app_name = "newsletters"
urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletters/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("newsletters/<slug:slug>/join/", views.join, name="join"),
    path("newsletters/<slug:slug>/leave/", views.leave, name="leave"),
    # The mail provider's reports: bounces, complaints, unsubscribes (webhooks.py)
    path("anymail/<str:provider>/tracking/", webhooks.tracking_webhook, name="tracking_webhook"),
]
