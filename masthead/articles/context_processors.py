"""Context available to every template: the publication, and the navigation with the reader's place in it."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from masthead.articles.models import PublicationSettings, SectionPage


@dataclass(frozen=True)
class NavLink:
    url: str
    title: str
    # The value of aria-current: "page" on the page itself, "true" inside it (an article in its section), or "".
    current: str


def current_for(path: str, url: str) -> str:
    if path == url:
        return "page"
    if url != "/" and path.startswith(url):
        return "true"
    return ""


def site_navigation(path: str) -> list[NavLink]:
    """The sections, then the archive. What is marked depends on the address only, never on the reader, so
    pages that share one rendering among readers (masthead/delivery) can carry it."""
    links = [(section.url, section.title) for section in SectionPage.objects.live().public().order_by("path")]
    links.append((reverse("articles:archive"), _("Archive")))
    return [NavLink(url, title, current_for(path, url)) for url, title in links]


def publication(request):
    return {
        "publication": PublicationSettings.for_request(request),
        "base_url": settings.MASTHEAD_BASE_URL,
        # A callable: templates that never show the navigation never run the query.
        "site_navigation": lambda: site_navigation(request.path),
    }
