"""The default Wagtail Site's address, kept to MASTHEAD_BASE_URL while it still points at this machine."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from wagtail.models import Site

# A Site on one of these was made by a machine (Wagtail's migration: localhost:80; the demo and this module:
# make run's HOST of the day), never chosen for a public site: it may follow the base URL. Any other hostname
# is an operator's.
LOCAL_HOSTNAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::"}


class SiteSync(models.TextChoices):
    UPDATED = "updated", "now follows the base URL"
    UNCHANGED = "unchanged", "already at the base URL"
    OPERATORS = "operators", "set to a public host name by an operator; left as it is"
    TAKEN = "taken", "another Site already has the base URL's address; left as it is"
    NO_SITE = "no-site", "there is no default Site yet"


def base_address(base_url: str) -> tuple[str, int]:
    base = urlsplit(base_url)
    return base.hostname, base.port or (443 if base.scheme == "https" else 80)


@transaction.atomic
def sync_default_site(base_url: str | None = None) -> tuple[SiteSync, Site | None]:
    """Point the default Site (full page URLs: sitemap, API) at the base URL, unless an operator set it."""
    hostname, port = base_address(base_url or settings.MASTHEAD_BASE_URL)
    site = Site.objects.select_for_update().filter(is_default_site=True).first()
    if site is None:
        return SiteSync.NO_SITE, None
    if (site.hostname, site.port) == (hostname, port):
        return SiteSync.UNCHANGED, site
    if site.hostname not in LOCAL_HOSTNAMES:
        return SiteSync.OPERATORS, site
    if Site.objects.exclude(pk=site.pk).filter(hostname=hostname, port=port).exists():
        return SiteSync.TAKEN, site
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    return SiteSync.UPDATED, site
