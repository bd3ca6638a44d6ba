"""Fixtures for the discussion's tests: an article, members, and a guest-friendly policy."""

import pytest

from masthead.accounts.factories import UserFactory
from masthead.articles.factories import make_article


@pytest.fixture
def article(section):
    return make_article(section=section, title="Where the water goes")


@pytest.fixture
def member(db):
    return UserFactory(display_name="Ada Member")


@pytest.fixture
def other_member(db):
    return UserFactory(display_name="Bo Other")


@pytest.fixture(autouse=True)
def _empty_cache():
    # Thread ids repeat from one test to the next, so cached thread HTML must not outlive a test.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_ip_purge_from_posts(monkeypatch):
    # The write path queues the IP-hash purge once an hour per process; left on, whichever test posts first
    # would see one more on-commit callback. test_privacy.py turns it back on where it is the subject.
    from masthead.discussion.actions import privacy

    monkeypatch.setattr(privacy, "_next_ip_purge_check", float("inf"))
