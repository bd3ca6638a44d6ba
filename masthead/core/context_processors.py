"""Context available to every template."""

from django.conf import settings


def publication(request):
    from masthead.articles.models import PublicationSettings, SectionPage

    return {
        "publication": PublicationSettings.for_request(request),
        "base_url": settings.MASTHEAD_BASE_URL,
        # A callable: templates that never show the navigation never run the query.
        "site_sections": lambda: list(SectionPage.objects.live().public().order_by("path")),
    }
