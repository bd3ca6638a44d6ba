"""Background work for the publication: publishing pages editors scheduled, and unpublishing expired ones."""

import io

from django.core.management import call_command
from django_tasks import task


@task()
def publish_due_pages() -> str:
    """Run Wagtail's own `publish_scheduled`, so that each page publishes as from the admin (signals and all).

    The scheduler (masthead/scheduling) enqueues this every minute. Running it twice is harmless: a revision
    published once is no longer waiting to go live, so a second run finds nothing to do.
    """
    output = io.StringIO()
    call_command("publish_scheduled", stdout=output)
    return output.getvalue()
