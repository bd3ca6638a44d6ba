"""Rate limits: counted in Django's cache, shared through the real local Redis when REDIS_URL is set."""

import uuid

import pytest

from masthead.core import ratelimit


@pytest.fixture
def redis_cache(settings):
    """Django's cache pointed at the local Redis (db 15, a prefix of its own), as REDIS_URL would set it."""
    from django.core.cache import caches

    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",
        "KEY_PREFIX": f"masthead-test-{uuid.uuid4().hex}",
    }
    settings.CACHES = {"default": redis, "shared": redis}
    # Changing CACHES through the settings fixture makes Django drop its cache connections, so this is Redis.
    yield caches["shared"]
    caches["shared"].clear()


def test_limit_then_refuse(db, settings):
    results = [ratelimit.allow("test", "someone@example.org", limit=3, window_seconds=60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.allow("test", "someone-else@example.org", limit=3, window_seconds=60)


def test_counts_are_shared_through_redis(redis_cache):
    import redis

    assert "RedisCache" in type(redis_cache).__name__
    identifier = f"{uuid.uuid4().hex}@example.org"
    assert [ratelimit.allow("redis", identifier, limit=2, window_seconds=60) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    # The count is really in Redis: a separate client sees the key (hashed: no address in the clear).
    keys = redis.Redis.from_url("redis://127.0.0.1:6379/15").keys("*masthead:ratelimit:redis:*")
    assert len(keys) == 1 and identifier.encode() not in keys[0]


def test_sign_in_requests_are_limited_through_redis(redis_cache, client, settings):
    settings.MASTHEAD_LINK_REQUESTS_PER_ADDRESS = 1
    address = f"{uuid.uuid4().hex}@example.org"
    # The database is needed for the link itself.
    assert client.post("/members/sign-in/", {"email": address}).status_code == 200
    assert client.post("/members/sign-in/", {"email": address}).status_code == 429


test_sign_in_requests_are_limited_through_redis = pytest.mark.django_db(
    test_sign_in_requests_are_limited_through_redis
)
