"""Commenters' IP addresses: stored only as keyed hashes, and those forgotten after the retention period (the
task `purge_ip_hashes` below, run every hour by the scheduler: settings.MASTHEAD_PERIODIC_TASKS)."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from masthead.discussion.models import Comment, Flag


def hash_ip(ip: str) -> str:
    """A keyed hash of an IP address: enough to rate-limit and spot repeat abuse, useless to anyone without the key."""
    if not ip:
        return ""
    key = settings.MASTHEAD_DISCUSSION_IP_HASH_KEY.encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def do_purge_ip_hashes(*, now=None) -> int:
    """Forget the IP hashes older than the retention period; returns how many rows were cleared."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.MASTHEAD_DISCUSSION_IP_RETENTION_DAYS)
    cleared = Comment.objects.filter(created_at__lt=cutoff).exclude(ip_hash="").update(ip_hash="")
    cleared += Flag.objects.filter(created_at__lt=cutoff).exclude(reporter_ip_hash="").update(reporter_ip_hash="")
    return cleared


@task()
def purge_ip_hashes() -> int:
    """The purge as a task, which the scheduler enqueues every hour (settings.MASTHEAD_PERIODIC_TASKS)."""
    return do_purge_ip_hashes()
