"""What every server process must agree on (the reading meter, rate limits) is kept where they all see it: a
database table without Redis, never one process's memory."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache

from masthead.core import ratelimit
from masthead.membership.tests.test_gate_pages import GATE, article, gate_mode

pytestmark = pytest.mark.django_db


def another_process():
    """What another server process starts with: its own empty local memory (the default cache), nothing else."""
    cache.clear()


def test_the_shared_cache_is_the_database_when_there_is_no_redis():
    assert not settings.REDIS_URL
    assert isinstance(caches["shared"], DatabaseCache)


def test_the_meter_counts_the_same_whichever_process_answers(client, section):
    gate_mode("metered", metered_free_articles=2)
    pieces = [article(section, secret=f"Secret number {n}.") for n in range(3)]
    assert "Secret number 0." in client.get(pieces[0].url).content.decode()
    another_process()
    assert "Secret number 1." in client.get(pieces[1].url).content.decode()
    another_process()
    third = client.get(pieces[2].url).content.decode()
    assert "Secret number 2." not in third and GATE in third


def test_a_rate_limit_counts_across_processes():
    for _ in range(3):
        assert ratelimit.allow("test", "reader@example.org", limit=3, window_seconds=60, now=1_000)
        another_process()
    assert not ratelimit.allow("test", "reader@example.org", limit=3, window_seconds=60, now=1_000)
