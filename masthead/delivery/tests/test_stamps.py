"""The cache stamps: replaced by every change readers would see, read fresh on every request."""

import pytest
from django.contrib.auth.models import Group

from masthead.articles.factories import make_article
from masthead.core.signals import announce_changes
from masthead.delivery import stamps as stamps_module
from masthead.delivery.models import CacheStamps
from masthead.delivery.stamps import NO_THREAD, StampedMemo, replace
from masthead.discussion.factories import make_comment
from masthead.membership.factories import ComplimentaryAccessFactory, MemberFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def read_stamps():
    return stamps_module.read_stamps()[0]


def read_thread_state(article_id):
    return stamps_module.read_stamps(article_id)[1]


def test_replace_gives_the_named_stamp_a_new_value_and_leaves_the_other():
    before = read_stamps()
    replace(content=True)
    after = read_stamps()
    assert after.content != before.content and after.membership == before.membership
    replace(membership=True)
    assert read_stamps().membership != after.membership


def test_a_missing_row_is_made_again_by_the_next_change():
    CacheStamps.objects.all().delete()
    assert read_stamps() is None
    replace(content=True)
    assert read_stamps() is not None


@pytest.mark.parametrize(
    "change, stamp",
    [
        (lambda: make_article(), "content"),
        (lambda: SubscriptionFactory(), "membership"),
        (lambda: ComplimentaryAccessFactory(), "membership"),
        (lambda: MemberFactory().user.groups.add(Group.objects.get(name="Editors")), "membership"),
        (lambda: announce_changes(content=True), "content"),
        (lambda: announce_changes(membership=True), "membership"),
    ],
)
def test_each_kind_of_change_replaces_its_stamp(change, stamp):
    before = getattr(read_stamps(), stamp)
    change()
    assert getattr(read_stamps(), stamp) != before


def test_signing_in_records_the_time_without_replacing_the_membership_stamp(client):
    user = MemberFactory().user
    before = read_stamps().membership
    client.force_login(user)
    assert read_stamps().membership == before


def test_the_thread_state_names_the_threads_version(section):
    article = make_article(section=section)
    assert read_thread_state(article.pk) == NO_THREAD
    make_comment(article=article)
    first = read_thread_state(article.pk)
    make_comment(article=article)
    second = read_thread_state(article.pk)
    assert first.thread_id == second.thread_id and second.version > first.version
    assert first.stamp != second.stamp and first.created_at == second.created_at


def test_a_memo_forgets_everything_when_its_stamp_changes():
    memo = StampedMemo()
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert memo.get("one", "key", compute) == 1
    assert memo.get("one", "key", compute) == 1
    assert memo.get("two", "key", compute) == 2
    assert len(computed) == 2
