"""The annotations app: passage anchors for inline feedback, re-attached whenever an article is published."""

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "masthead.annotations"
    label = "annotations"
    verbose_name = "Inline feedback"

    def ready(self):
        from wagtail.signals import page_published

        from masthead.annotations.receivers import reanchor_after_publish

        page_published.connect(reanchor_after_publish, dispatch_uid="annotations-reanchor-after-publish")
