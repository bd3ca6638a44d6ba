"""IP hashes are purged after 30 days without a scheduler: the write path queues the purge at most once an hour."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from masthead.discussion.actions import privacy
from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.actions.moderation import check_report_comment
from masthead.discussion.actions.privacy import IP_PURGE_CACHE_KEY, IP_PURGE_INTERVAL_SECONDS, hash_ip
from masthead.discussion.models import Comment, Flag

pytestmark = pytest.mark.django_db


def post(article, user, body, ip="198.51.100.7"):
    return check_post_comment(page=article, user=user, body=body, ip=ip)


def arm():
    """As in a fresh process, with no purge queued by anyone this hour (the suite's conftest disarms it)."""
    privacy._next_ip_purge_check = 0.0
    cache.delete(IP_PURGE_CACHE_KEY)


@pytest.fixture
def purge_on(monkeypatch):
    monkeypatch.setattr(privacy, "_next_ip_purge_check", 0.0)
    arm()


def _age(model, pk, days):
    model.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(days=days))


def test_a_post_queues_the_purge_and_old_hashes_go(
    purge_on, article, member, other_member, django_capture_on_commit_callbacks
):
    old = post(article, member, "From last month")
    _age(Comment, old.pk, 31)
    flag = check_report_comment(comment_id=old.pk, user=None, reason="spam", ip="198.51.100.9")
    _age(Flag, flag.pk, 31)
    arm()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fresh = post(article, other_member, "Today's remark")
    assert len(callbacks) == 1  # the purge task, queued after the commit (nobody follows the thread)
    old.refresh_from_db()
    fresh.refresh_from_db()
    flag.refresh_from_db()
    assert old.ip_hash == "" and flag.reporter_ip_hash == ""
    assert len(fresh.ip_hash) == 64  # younger than 30 days: kept


def test_the_purge_is_queued_at_most_once_an_hour(purge_on, article, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as first:
        post(article, member, "one")
    old = post(article, member, "two")
    _age(Comment, old.pk, 31)
    with django_capture_on_commit_callbacks(execute=True) as later:
        post(article, member, "three")
    assert len(first) == 1 and len(later) == 0
    old.refresh_from_db()
    assert len(old.ip_hash) == 64  # waits for the next hourly purge (or the cron command)


def test_another_process_that_already_queued_it_wins(purge_on, article, member, django_capture_on_commit_callbacks):
    # Another worker process queued the purge within the hour: the shared cache key says so.
    cache.set(IP_PURGE_CACHE_KEY, True, 3600)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(article, member, "one")
    assert len(callbacks) == 0


def test_after_an_hour_the_purge_is_queued_again(
    purge_on, monkeypatch, article, member, django_capture_on_commit_callbacks
):
    clock = [1000.0]
    monkeypatch.setattr(privacy.time, "monotonic", lambda: clock[0])
    with django_capture_on_commit_callbacks(execute=True) as first:
        post(article, member, "one")
    clock[0] += IP_PURGE_INTERVAL_SECONDS + 1
    cache.delete(IP_PURGE_CACHE_KEY)  # the shared key has expired too
    with django_capture_on_commit_callbacks(execute=True) as second:
        post(article, member, "two")
    assert len(first) == len(second) == 1


def test_ip_hash_is_keyed(settings):
    first = hash_ip("192.0.2.1")
    settings.MASTHEAD_DISCUSSION_IP_HASH_KEY = "another key"
    assert hash_ip("192.0.2.1") != first


def test_ip_hashes_older_than_thirty_days_are_purged(article, member):
    old = post(article, member, "old")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    recent = post(article, member, "recent")
    from masthead.discussion.tasks import purge_ip_hashes

    assert purge_ip_hashes.enqueue().return_value == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_hash == "" and len(recent.ip_hash) == 64
