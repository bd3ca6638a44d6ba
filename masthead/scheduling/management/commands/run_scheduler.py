"""Run the scheduler: each minute, enqueue the periodic tasks that are due (masthead/scheduling/README.md)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from masthead.scheduling.scheduler import enqueue_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Every minute, enqueue the due periodic tasks (MASTHEAD_PERIODIC_TASKS); a worker runs them."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now, then exit.")

    def handle(self, *args, once=False, verbosity=1, **options):
        if not once and verbosity:
            self.stdout.write("Scheduler started: enqueues the periodic tasks each minute (-v 2 shows each).")
        while True:
            try:
                enqueued = enqueue_due()
                # The worker logs each task it runs; once a minute here too would drown the console.
                if verbosity >= 2 or (once and verbosity):
                    for path in enqueued:
                        self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} enqueued {path}")
            except Exception:
                if once:
                    raise
                # A database restart must not end the loop: the next minute tries again.
                logger.exception("The scheduler could not enqueue the periodic tasks; retrying next minute")
            if once:
                return
            self.stdout.flush()
            # Wake just after the next minute starts, so each minute's slot is claimed once, early.
            now = time.time()
            time.sleep(60 - now % 60 + 1)
            # As Django does per request: a connection that died or aged while asleep is replaced.
            close_old_connections()
