"""Forget comment IP hashes older than the retention period; run daily (cron or a scheduler enqueuing the task)."""

from django.core.management.base import BaseCommand

from masthead.discussion.actions.privacy import do_purge_ip_hashes


class Command(BaseCommand):
    help = "Clear IP hashes older than MASTHEAD_DISCUSSION_IP_RETENTION_DAYS from comments and reports."

    def handle(self, *args, **options):
        cleared = do_purge_ip_hashes()
        self.stdout.write(f"Cleared {cleared} IP hashes.")
