"""IP hashes are purged after 30 days without a scheduler: the write path queues the purge at most once an hour."""

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.actions.moderation import check_report_comment
from masthead.discussion.actions.privacy import hash_ip
from masthead.discussion.models import Comment, Flag

pytestmark = pytest.mark.django_db


def post(article, user, body, ip="198.51.100.7"):
    return check_post_comment(page=article, user=user, body=body, ip=ip)


def _age(model, pk, days):
    model.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(days=days))


def test_the_scheduler_runs_the_purge_every_hour(settings, article, member, other_member):
    from django.utils.module_loading import import_string

    assert settings.MASTHEAD_PERIODIC_TASKS["masthead.discussion.actions.privacy.purge_ip_hashes"] == 60
    old = post(article, member, "From last month")
    _age(Comment, old.pk, 31)
    flag = check_report_comment(comment_id=old.pk, user=None, reason="spam", ip="198.51.100.9")
    _age(Flag, flag.pk, 31)
    fresh = post(article, other_member, "Today's remark")
    import_string("masthead.discussion.actions.privacy.purge_ip_hashes").enqueue()
    old.refresh_from_db()
    fresh.refresh_from_db()
    flag.refresh_from_db()
    assert old.ip_hash == "" and flag.reporter_ip_hash == ""
    assert len(fresh.ip_hash) == 64  # younger than 30 days: kept


def test_ip_hash_is_keyed(settings):
    first = hash_ip("192.0.2.1")
    settings.MASTHEAD_DISCUSSION_IP_HASH_KEY = "another key"
    assert hash_ip("192.0.2.1") != first


def test_ip_hashes_older_than_thirty_days_are_purged(article, member):
    old = post(article, member, "old")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    recent = post(article, member, "recent")
    from masthead.discussion.actions.privacy import purge_ip_hashes

    assert purge_ip_hashes.enqueue().return_value == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_hash == "" and len(recent.ip_hash) == 64
