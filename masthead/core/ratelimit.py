"""Fixed-window rate limits in the cache every server process shares (the "shared" cache: Redis when REDIS_URL
is set, a database table otherwise), so N processes let through the limit, not N times it.

Used for sign-in link requests (membership) and comments (discussion)."""

import hashlib
import time

from django.core.cache import caches


def allow(bucket: str, identifier: str, *, limit: int, window_seconds: int, now: float | None = None) -> bool:
    """Count one attempt for `identifier` in `bucket`; False once it is past `limit` in the current window.

    One cache operation or two, whatever the traffic: a count of rows in the database would grow with it.
    `now` (a Unix time) places the attempt.
    """
    window = int((time.time() if now is None else now) // window_seconds)
    # Hashed, so that e-mail addresses and IP addresses never sit in the cache in the clear.
    digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]
    key = f"masthead:ratelimit:{bucket}:{digest}:{window}"
    cache = caches["shared"]
    if cache.add(key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
