"""Tests of masthead/discussion/actions/imports.py: comments brought from another system keep their old votes."""

from datetime import datetime, timezone

import pytest

from masthead.core.signals import account_leaving
from masthead.discussion.actions.imports import (
    ImportedComment,
    do_add_imported_comment,
    do_add_imported_comments,
    do_settle_imported_thread,
)
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.actions.votes import check_vote
from masthead.discussion.models import Comment, CommentSort, CommentStatus, Thread

pytestmark = pytest.mark.django_db
THEN = datetime(2021, 6, 1, 12, tzinfo=timezone.utc)


def imported(thread, name, up=0, down=0, parent=None, status=CommentStatus.APPROVED):
    return do_add_imported_comment(thread=thread, parent=parent, guest_name=name, body=f"By {name}",
                                   status=status, created_at=THEN, upvotes=up, downvotes=down)


def test_imported_votes_count_for_most_voted_and_new_votes_add_to_them(article, member, other_member):
    thread = thread_for(article)
    popular, plain = imported(thread, "Popular", up=7, down=1), imported(thread, "Plain")
    reply = imported(thread, "Reply", parent=popular)
    assert (reply.depth, reply.root, popular.root) == (2, popular, popular)
    top = Comment.objects.filter(thread=thread).top_level().sorted_by(CommentSort.MOST_VOTED)
    assert list(top) == [popular, plain]
    check_vote(comment_id=popular.pk, user=member, value=1)
    check_vote(comment_id=popular.pk, user=other_member, value=-1)
    popular.refresh_from_db()
    assert (popular.upvotes, popular.downvotes, popular.score) == (8, 2, 6)
    # A voter leaving takes their vote, never the imported ones.
    account_leaving.send(sender=None, user=member)
    popular.refresh_from_db()
    assert (popular.upvotes, popular.downvotes) == (7, 2)


def test_settling_counts_what_readers_see_closes_and_raises_the_version(article):
    thread = thread_for(article)
    imported(thread, "Seen")
    imported(thread, "Held", status=CommentStatus.PENDING)
    imported(thread, "Spam", status=CommentStatus.SPAM)
    version = thread.version
    do_settle_imported_thread(thread=thread, added=3, close=True)
    thread = Thread.objects.get(pk=thread.pk)
    assert (thread.comment_count, thread.is_closed, thread.version) == (1, True, version + 1)


def test_bulk_import_threads_by_parent_in_the_list_or_already_stored(article):
    thread = thread_for(article)
    stored = imported(thread, "Stored", up=3)
    made = do_add_imported_comments(thread=thread, comments=[
        ImportedComment(body="Top", status=CommentStatus.APPROVED, created_at=THEN, guest_name="Top", upvotes=4,
                        downvotes=1),
        ImportedComment(body="Reply", status=CommentStatus.APPROVED, created_at=THEN, parent_index=0),
        ImportedComment(body="Reply to reply", status="nonsense", created_at=THEN, parent_index=1),
        ImportedComment(body="On the stored one", status=CommentStatus.SPAM, created_at=THEN, parent=stored),
    ])
    top, reply, deeper, late = (Comment.objects.get(pk=comment.pk) for comment in made)
    assert (top.depth, top.root_id, top.parent_id, top.score, top.imported_upvotes) == (1, top.pk, None, 3, 4)
    assert (reply.depth, reply.root_id, reply.parent_id) == (2, top.pk, top.pk)
    assert (deeper.depth, deeper.root_id, deeper.parent_id, deeper.status) == (3, top.pk, reply.pk, CommentStatus.PENDING)
    assert (late.depth, late.root_id, late.parent_id, late.guest_name) == (2, stored.pk, stored.pk, "Anonymous")
    assert top.body_html.strip() and "Top" in top.body_html


def test_bulk_import_refuses_a_parent_after_its_child(article):
    with pytest.raises(ValueError, match="parent must come before"):
        do_add_imported_comments(thread=thread_for(article), comments=[
            ImportedComment(body="Orphan", status=CommentStatus.APPROVED, created_at=THEN, parent_index=0)])
