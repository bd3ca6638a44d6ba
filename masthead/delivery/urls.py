"""Addresses the page layer serves itself: gated images, behind the gate's decision; a reader's CSRF token for
the forms of a page shared by the edge."""

from django.urls import path

from masthead.delivery import edge, gated_images

app_name = "delivery"
urlpatterns = [
    path("gated-images/<path:name>", gated_images.serve, name="gated_image"),
    path("edge/csrf-token", edge.csrf_token, name="csrf_token"),
    path("edge/health", edge.health, name="health"),
]
