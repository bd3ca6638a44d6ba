"""Context available to every template: the publication and its sections."""

from django.conf import settings

from masthead.articles.models import PublicationSettings, SectionPage


def publication(request):
    return {
        "publication": PublicationSettings.for_request(request),
        "base_url": settings.MASTHEAD_BASE_URL,
        # A callable: templates that never show the navigation never run the query.
        "site_sections": lambda: list(SectionPage.objects.live().public().order_by("path")),
    }
