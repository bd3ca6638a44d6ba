"""Nobody who reaches the Wagtail admin signs in by a mailed link, whatever their is_staff flag says."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core.cache import cache

from masthead.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/members/link/([\w-]+)/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def ask(client, email, capture):
    with capture(execute=True):
        return client.post("/members/sign-in/", {"email": email})


@pytest.mark.parametrize("group", ["Editors", "Moderators"])
def test_an_editor_without_is_staff_gets_no_sign_in_link(client, smtp_inbox, django_capture_on_commit_callbacks,
                                                         group):
    member = MemberFactory()
    member.user.groups.add(Group.objects.get(name=group))
    assert not member.user.is_staff
    assert ask(client, member.user.email, django_capture_on_commit_callbacks).status_code == 200
    (message,) = smtp_inbox.to(member.user.email)
    assert not LINK.search(message.get_content())
    assert "password" in message.get_content()


def test_a_link_sent_before_the_reader_became_an_editor_no_longer_signs_them_in(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    ask(client, member.user.email, django_capture_on_commit_callbacks)
    (message,) = smtp_inbox.to(member.user.email)
    path, _token = LINK.search(message.get_content()).groups()
    member.user.groups.add(Group.objects.get(name="Editors"))
    response = client.post(path)
    assert response.status_code in (400, 403)
    assert SESSION_KEY not in client.session
