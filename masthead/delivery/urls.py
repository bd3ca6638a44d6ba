"""Addresses the page layer serves itself: gated images, behind the gate's decision."""

from django.urls import path

from masthead.delivery import gated_images

app_name = "delivery"
urlpatterns = [
    path("gated-images/<path:name>", gated_images.serve, name="gated_image"),
]
