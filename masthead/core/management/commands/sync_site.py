"""Point the default Wagtail Site at MASTHEAD_BASE_URL while it still has a local address (for make run)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.core.sites import SiteSync, sync_default_site


class Command(BaseCommand):
    help = (
        "Make the default Site's host name and port those of MASTHEAD_BASE_URL, unless an operator has given "
        "it a public host name."
    )

    def handle(self, *args, **options):
        outcome, site = sync_default_site()
        where = f" ({site.hostname}:{site.port})" if site else ""
        message = f"Default site{where}: {outcome.label}."
        if outcome == SiteSync.OPERATORS:
            message += f" Full page URLs use it, not MASTHEAD_BASE_URL ({settings.MASTHEAD_BASE_URL})."
        self.stdout.write(message)
