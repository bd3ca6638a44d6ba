"""Tests of masthead/discussion/actions/moderation.py: the queue's actions, reports, a moderator's edit."""


import pytest

from masthead.accounts.factories import StaffFactory
from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.actions.moderation import check_moderate, check_moderator_edit, check_report_comment
from masthead.discussion.errors import DiscussionError
from masthead.discussion.factories import allow_guests, make_comment
from masthead.discussion.models import Ban, Comment, CommentStatus, Flag, ModerationEvent, Thread

pytestmark = pytest.mark.django_db



def post(article, user, body="A fair point about the pipes.", **kwargs):
    return check_post_comment(page=article, user=user, body=body, ip="192.0.2.1", **kwargs)


@pytest.fixture
def editor(db):
    return StaffFactory()


def test_report_needs_a_known_reason_and_counts_once_per_member(article, member):
    comment = make_comment(article=article)
    with pytest.raises(DiscussionError, match="reason"):
        check_report_comment(comment_id=comment.pk, user=member, reason="because")
    check_report_comment(comment_id=comment.pk, user=member, reason="abuse", note="rude")
    with pytest.raises(DiscussionError, match="already reported"):
        check_report_comment(comment_id=comment.pk, user=member, reason="spam")
    assert Flag.objects.get().reason == "abuse"
    assert list(Comment.objects.needing_moderation("reported")) == [comment]


def test_approve_counts_and_logs_who_did_it(article, editor):
    comment = make_comment(article=article, status=CommentStatus.PENDING)
    check_moderate(comment_ids=[comment.pk], action="approve", editor=editor)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED
    assert Thread.objects.get(page=article).comment_count == 1
    event = ModerationEvent.objects.get()
    assert (event.actor, event.action, event.comment) == (editor, "approve", comment)


def test_bulk_spam_and_pin(article, editor):
    first, second = make_comment(article=article), make_comment(article=article)
    check_moderate(comment_ids=[first.pk, second.pk], action="spam", editor=editor)
    assert set(Comment.objects.values_list("status", flat=True)) == {"spam"}
    assert Thread.objects.get(page=article).comment_count == 0
    third = make_comment(article=article)
    check_moderate(comment_ids=[str(third.pk)], action="pin", editor=editor)
    third.refresh_from_db()
    assert third.is_pinned
    assert ModerationEvent.objects.count() == 3


def test_ban_stops_the_member_and_a_guest_email(article, editor, member):
    comment = make_comment(article=article, author=member)
    with pytest.raises(DiscussionError, match="Give a reason"):
        check_moderate(comment_ids=[comment.pk], action="ban", editor=editor)
    assert not Ban.objects.exists()
    check_moderate(comment_ids=[comment.pk], action="ban", editor=editor, reason="Insults")
    assert Ban.objects.get(user=member).reason == "Insults"
    with pytest.raises(DiscussionError, match="no longer comment") as refused:
        post(article, member, "after the ban")
    assert refused.value.status == 403
    allow_guests()
    guest_comment = make_comment(article=article, guest_name="Gus", guest_email="Gus@Example.org")
    check_moderate(comment_ids=[guest_comment.pk], action="ban", editor=editor, reason="Spam links")
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(DiscussionError, match="no longer comment"):
        post(article, AnonymousUser(), guest_name="Gus", guest_email="gus@example.org")


def test_only_moderators_moderate(article, member):
    comment = make_comment(article=article, status=CommentStatus.PENDING)
    with pytest.raises(DiscussionError, match="may not moderate") as refused:
        check_moderate(comment_ids=[comment.pk], action="approve", editor=member)
    assert refused.value.status == 403


def test_moderator_edit_is_logged(article, editor):
    comment = make_comment(article=article)
    check_moderator_edit(comment_id=comment.pk, editor=editor, body="Trimmed by the desk.")
    comment.refresh_from_db()
    assert comment.body == "Trimmed by the desk." and comment.edited_at
    assert ModerationEvent.objects.get().action == "edit"
