"""Fixed-window rate limits that every server process shares, so N processes let through the limit, not N times it.

Counted in Redis (the "shared" cache) when the site has one, otherwise in one row per identifier in the database
(`RateCounter`): one conditional UPDATE per attempt, where Django's database cache took about ten queries (a
read, a write and a COUNT(*) to cull) for each. `settings.MASTHEAD_RATE_LIMITS_IN` ("cache" or "database")
says which; it follows REDIS_URL.

Used for sign-in link requests (membership), subscriptions (newsletters), comments and guest votes (discussion).
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django_tasks import task

from masthead.core.models import RateCounter


def allow(bucket: str, identifier: str, *, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one attempt for `identifier` in `bucket`; False once it is past `limit` in the current window.

    `now` (a Unix time) places the attempt.
    """
    now = time.time() if now is None else now
    window_ends_at = (int(now // window_seconds) + 1) * window_seconds
    # Hashed, so that e-mail addresses and IP addresses are never stored in the clear.
    digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]
    key = f"masthead:ratelimit:{bucket}:{digest}"
    if settings.MASTHEAD_RATE_LIMITS_IN == "cache":
        return _allow_in_cache(f"{key}:{window_ends_at}", limit, window_seconds)
    return _allow_in_database(key, limit, window_ends_at)


def _allow_in_cache(key: str, limit: int, window_seconds: int) -> bool:
    cache = caches["shared"]
    if cache.add(key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def _allow_in_database(key: str, limit: int, window_ends_at: int) -> bool:
    if limit < 1:
        return False
    if _count_if_under(key, limit, window_ends_at):
        return True
    # No row yet for this identifier, or it is at its limit in this window.
    try:
        with transaction.atomic():
            RateCounter.objects.create(key=key, window_ends_at=window_ends_at, count=1)
        return True
    except IntegrityError:
        # The row exists: at its limit, or another process created it a moment ago.
        return _count_if_under(key, limit, window_ends_at)


def _count_if_under(key: str, limit: int, window_ends_at: int) -> bool:
    """One UPDATE: start a new window at 1, or add 1 to this window's count while it is under `limit`."""
    same_window = Q(window_ends_at=window_ends_at)
    return bool(
        RateCounter.objects.filter(key=key)
        .filter(~same_window | Q(count__lt=limit))
        .update(
            count=Case(When(same_window, then=F("count") + 1), default=Value(1)),
            window_ends_at=window_ends_at,
        )
    )


def forget_past_windows(now: float | None = None) -> int:
    """Delete the counters of windows that have ended (a periodic task); returns how many."""
    now = time.time() if now is None else now
    deleted, _ = RateCounter.objects.filter(window_ends_at__lte=int(now)).delete()
    return deleted


@task()
def forget_rate_counters() -> int:
    """`forget_past_windows` as a task, which the scheduler enqueues every hour (MASTHEAD_PERIODIC_TASKS)."""
    return forget_past_windows()
