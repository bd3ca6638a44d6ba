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
