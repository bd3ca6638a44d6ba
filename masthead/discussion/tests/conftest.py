"""Fixtures for the discussion's tests: an article, members, and a guest-friendly policy."""

import pytest
from django.contrib.auth.models import Group

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


@pytest.fixture
def group_editor(client):
    """A member of Wagtail's Editors group, signed in: no superuser, no is_staff, as a newsroom makes editors."""
    user = UserFactory(username="eda", email="eda@example.org", display_name="Eda Editor")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _empty_cache():
    # Thread ids repeat from one test to the next, so cached thread HTML must not outlive a test.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
