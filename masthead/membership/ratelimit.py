"""Fixed-window rate limits in Django's cache: Redis when REDIS_URL is set, so every worker shares them."""

import hashlib
import time

from django.core.cache import cache


def allow(bucket: str, identifier: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `identifier` in `bucket`; False once it is past `limit` in the current window."""
    window = int(time.time() // window_seconds)
    # Hashed, so that e-mail addresses and IP addresses never sit in the cache in the clear.
    digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]
    key = f"masthead:ratelimit:{bucket}:{digest}:{window}"
    if cache.add(key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
