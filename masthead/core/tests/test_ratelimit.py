"""Rate limits: counted in a table of their own, or in the real local Redis when REDIS_URL is set."""

import threading
import uuid

import pytest
from django.conf import settings as settings_module
from django.db import connections

from masthead.core import ratelimit
from masthead.core.models import RateCounter


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
    settings.MASTHEAD_RATE_LIMITS_IN = "cache"
    # Changing CACHES through the settings fixture makes Django drop its cache connections, so this is Redis.
    yield caches["shared"]
    caches["shared"].clear()


def test_limit_then_refuse(db, settings):
    assert settings.MASTHEAD_RATE_LIMITS_IN == "database"
    results = [ratelimit.allow("test", "someone@example.org", limit=3, window_seconds=60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.allow("test", "someone-else@example.org", limit=3, window_seconds=60)


def test_one_row_per_identifier_hashed_and_counted_in_place(db):
    for _ in range(4):
        ratelimit.allow("rows", "Someone@Example.org ", limit=2, window_seconds=60, now=1_000)
    (row,) = RateCounter.objects.filter(key__startswith="masthead:ratelimit:rows:")
    assert "someone" not in row.key.lower()
    # Refused attempts are not counted: the count stops at the limit.
    assert row.count == 2
    assert row.window_ends_at == 1_020


def test_a_new_window_starts_again_at_one(db):
    allow = ratelimit.allow
    assert [allow("window", "a@example.org", limit=1, window_seconds=60, now=t) for t in (10, 20, 61, 62)] == [
        True,
        False,
        True,
        False,
    ]
    assert RateCounter.objects.get(key__contains=":window:").window_ends_at == 120


def test_a_zero_limit_refuses_everything(db):
    assert not ratelimit.allow("zero", "a@example.org", limit=0, window_seconds=60)
    assert not RateCounter.objects.exists()


def test_an_attempt_under_the_limit_is_one_statement(db, django_assert_num_queries):
    ratelimit.allow("queries", "a@example.org", limit=5, window_seconds=60, now=100)
    with django_assert_num_queries(1):
        assert ratelimit.allow("queries", "a@example.org", limit=5, window_seconds=60, now=101)


def test_ended_windows_are_forgotten(db):
    ratelimit.allow("old", "a@example.org", limit=5, window_seconds=60, now=100)
    ratelimit.allow("old", "b@example.org", limit=5, window_seconds=60, now=200)
    assert ratelimit.forget_past_windows(now=150) == 1
    assert RateCounter.objects.count() == 1
    assert "masthead.core.ratelimit.forget_rate_counters" in settings_module.MASTHEAD_PERIODIC_TASKS


@pytest.mark.django_db(transaction=True)
def test_processes_racing_on_one_identifier_let_through_the_limit_only():
    """Threads with their own database connections, all starting on a new identifier at once."""
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time; the tests' in-memory database refuses a second one")
    barrier = threading.Barrier(6)
    results = []

    def attempt():
        barrier.wait()
        try:
            results.append(ratelimit.allow("race", "racer@example.org", limit=3, window_seconds=60, now=500))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True, True, True]


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
