"""Moderators are e-mailed, in batches, about comments held and reports made; nothing twice, nothing lost."""

import socket

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.utils.module_loading import import_string

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.discussion.actions.comments import do_edit_comment
from masthead.discussion.actions.moderation import check_moderate, check_report_comment
from masthead.discussion.actions.notices import do_send_moderator_notices, send_moderator_notices
from masthead.discussion.factories import make_comment
from masthead.discussion.models import Comment, CommentStatus, Flag

pytestmark = pytest.mark.django_db

BASE = "https://news.example.org"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.MASTHEAD_BASE_URL = BASE


@pytest.fixture
def moderators(db):
    """A member of Wagtail's Editors group (given the permission by a migration) and a superuser."""
    editor = UserFactory(username="eda", email="eda@example.org", display_name="Eda Editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    return [editor, StaffFactory(email="chief@example.org")]


def held_and_reported(article, member):
    first = make_comment(article=article, body="Held because of its links", status=CommentStatus.PENDING)
    second = make_comment(article=article, body="Held as a first comment", status=CommentStatus.PENDING)
    reported = make_comment(article=article, body="A rude remark")
    check_report_comment(comment_id=reported.pk, user=member, reason="abuse", note="name-calling")
    return first, second, reported


def test_two_held_and_one_report_make_one_mail_per_moderator_then_nothing(mailoutbox, moderators, article,
                                                                          member):
    held_and_reported(article, member)
    assert do_send_moderator_notices() == 2
    assert sorted(message.to[0] for message in mailoutbox) == ["chief@example.org", "eda@example.org"]
    assert member.email not in [message.to[0] for message in mailoutbox]
    for message in mailoutbox:
        assert message.subject == "Comments need you: 2 held for approval, 1 new report"
        body = message.body
        assert "Held because of its links" in body and "Held as a first comment" in body
        assert "A rude remark" in body and "Abuse or harassment" in body and "name-calling" in body
        assert f"{BASE}/admin/discussion/queue/?queue=pending" in body
        assert f"{BASE}/admin/discussion/queue/?queue=reported" in body
        assert f"{BASE}/admin/discussion/comment/" in body
    assert not Comment.objects.filter(status=CommentStatus.PENDING, moderators_notified_at__isnull=True).exists()
    assert not Flag.objects.filter(moderators_notified_at__isnull=True).exists()

    mailoutbox.clear()
    assert do_send_moderator_notices() == 0
    assert mailoutbox == []


def test_the_next_notice_names_only_what_is_new(mailoutbox, moderators, article, member, other_member):
    held_and_reported(article, member)
    do_send_moderator_notices()
    mailoutbox.clear()
    fresh = make_comment(article=article, body="Another rude remark")
    check_report_comment(comment_id=fresh.pk, user=other_member, reason="spam")
    assert do_send_moderator_notices() == 2
    body = mailoutbox[0].body
    assert mailoutbox[0].subject == "Comments need you: 1 new report"
    assert "Another rude remark" in body and "Held because of its links" not in body


def test_a_comment_held_again_after_an_edit_is_announced_again(mailoutbox, moderators, article):
    comment = make_comment(article=article, body="Fine at first", status=CommentStatus.PENDING)
    do_send_moderator_notices()
    check_moderate(comment_ids=[comment.pk], action="approve", editor=moderators[0])
    comment.refresh_from_db()
    do_edit_comment(comment=comment, body="Now with a link or three", hold_reasons=["Too many links"])
    mailoutbox.clear()
    assert do_send_moderator_notices() == 2
    assert "Now with a link or three" in mailoutbox[0].body and "Too many links" in mailoutbox[0].body


def test_a_failed_send_marks_nothing_and_the_next_run_sends_it(settings, mailoutbox, moderators, article, member):
    held_and_reported(article, member)
    with socket.socket() as probe:  # a port nobody listens on: the SMTP connection is refused
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    locmem = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with pytest.raises(OSError):
        do_send_moderator_notices()
    assert Comment.objects.filter(moderators_notified_at__isnull=False).count() == 0
    assert Flag.objects.filter(moderators_notified_at__isnull=False).count() == 0

    settings.EMAIL_BACKEND = locmem
    assert do_send_moderator_notices() == 2
    assert "Held because of its links" in mailoutbox[0].body and "A rude remark" in mailoutbox[0].body


def test_reports_on_spam_and_settled_reports_are_not_announced(mailoutbox, moderators, article, member):
    spam = make_comment(article=article, body="Buy now", status=CommentStatus.APPROVED)
    check_report_comment(comment_id=spam.pk, user=member, reason="spam")
    Comment.objects.filter(pk=spam.pk).update(status=CommentStatus.SPAM)
    settled = make_comment(article=article, body="Was reported")
    check_report_comment(comment_id=settled.pk, user=member, reason="abuse")
    Flag.objects.filter(comment=settled).update(resolved=True)
    assert do_send_moderator_notices() == 0
    assert mailoutbox == []


def test_the_notice_is_a_periodic_task_every_quarter_hour(mailoutbox, moderators, article, member):
    path = "masthead.discussion.actions.notices.send_moderator_notices"
    assert django_settings.MASTHEAD_PERIODIC_TASKS[path] == 15
    assert import_string(path) is send_moderator_notices
    held_and_reported(article, member)
    result = send_moderator_notices.enqueue()  # the tests' task backend runs it at once
    assert result.return_value == 2 and len(mailoutbox) == 2
