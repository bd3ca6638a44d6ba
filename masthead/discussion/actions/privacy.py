"""Commenters' IP addresses: stored only as keyed hashes, and those forgotten after the retention period."""

import hashlib
import hmac
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from masthead.discussion.models import Comment, Flag
from masthead.discussion.tasks import purge_ip_hashes


def hash_ip(ip: str) -> str:
    """A keyed hash of an IP address: enough to rate-limit and spot repeat abuse, useless to anyone without the key."""
    if not ip:
        return ""
    key = settings.MASTHEAD_DISCUSSION_IP_HASH_KEY.encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


IP_PURGE_CACHE_KEY = "discussion:ip-purge-queued"
IP_PURGE_INTERVAL_SECONDS = 3600
_next_ip_purge_check = 0.0  # this process's own clock: most posts skip even the cache


def schedule_ip_purge() -> None:
    """Queue the IP-hash purge at most once an hour, from the write path, so no scheduler has to be set up.

    The cache's atomic add decides which process queues it; cron can still run `manage.py purge_comment_ips`.
    """
    global _next_ip_purge_check
    now = time.monotonic()
    if now < _next_ip_purge_check:
        return
    _next_ip_purge_check = now + IP_PURGE_INTERVAL_SECONDS
    if cache.add(IP_PURGE_CACHE_KEY, True, IP_PURGE_INTERVAL_SECONDS):
        transaction.on_commit(purge_ip_hashes.enqueue)


def do_purge_ip_hashes(*, now=None) -> int:
    """Forget the IP hashes older than the retention period; returns how many rows were cleared."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.MASTHEAD_DISCUSSION_IP_RETENTION_DAYS)
    cleared = Comment.objects.filter(created_at__lt=cutoff).exclude(ip_hash="").update(ip_hash="")
    cleared += Flag.objects.filter(created_at__lt=cutoff).exclude(reporter_ip_hash="").update(reporter_ip_hash="")
    return cleared
