"""Tests of masthead/discussion/actions/comments.py: posting, replying, editing, deleting, a post's cost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.articles.factories import make_article
from masthead.discussion.actions.comments import (
    check_delete_comment,
    check_edit_comment,
    check_post_comment,
    do_delete_comment,
)
from masthead.discussion.errors import DiscussionError
from masthead.discussion.factories import allow_guests, make_comment, set_policy
from masthead.discussion.models import Comment, CommentStatus, Flag, Thread, Vote

pytestmark = pytest.mark.django_db



def post(article, user, body="A fair point about the pipes.", **kwargs):
    return check_post_comment(page=article, user=user, body=body, ip="192.0.2.1", **kwargs)


def counts():
    return Comment.objects.count(), Vote.objects.count(), Flag.objects.count()


def test_member_posts_an_approved_comment_counted_on_the_thread(article, member):
    comment = post(article, member, "Leaks *are* a supply.")
    assert comment.status == CommentStatus.APPROVED
    assert comment.body_html == "<p>Leaks <em>are</em> a supply.</p>"
    assert comment.root_id == comment.pk and comment.depth == 1
    assert Thread.objects.get(page=article).comment_count == 1
    assert len(comment.ip_hash) == 64 and "192.0.2.1" not in comment.ip_hash


def test_replies_nest_with_root_and_depth(article, member, other_member):
    top = post(article, member)
    reply = post(article, other_member, "Reply one", parent_id=top.pk)
    deeper = post(article, member, "Reply two", parent_id=reply.pk)
    assert (reply.depth, deeper.depth) == (2, 3)
    assert reply.root_id == deeper.root_id == top.pk


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "empty"),
        ("   \n  ", "empty"),
        ("x" * 10_001, "10,000 characters"),
        ("```\nnever closed", "never closed"),
        ("nul \x00 byte", "control characters"),
        (None, "missing"),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_written(article, member, body, message):
    with pytest.raises(DiscussionError, match=message) as refused:
        post(article, member, body)
    assert refused.value.status == 400
    assert Comment.objects.count() == 0


def test_exactly_ten_thousand_characters_is_allowed(article, member):
    assert post(article, member, "y" * 10_000).pk


def test_reply_to_a_comment_on_another_article_is_refused(article, member, section):
    elsewhere = make_comment(article=make_article(section=section))
    with pytest.raises(DiscussionError, match="another article"):
        post(article, member, parent_id=elsewhere.pk)
    assert Comment.objects.count() == 1


def test_reply_to_a_missing_or_deleted_comment_is_refused(article, member, other_member):
    with pytest.raises(DiscussionError, match="does not exist"):
        post(article, member, parent_id=999_999)
    with pytest.raises(DiscussionError, match="does not exist"):
        post(article, member, parent_id="not-a-number")
    parent = make_comment(article=article, author=other_member)
    make_comment(parent=parent)
    do_delete_comment(comment=parent)
    before = counts()
    with pytest.raises(DiscussionError, match="deleted"):
        post(article, member, parent_id=parent.pk)
    assert counts() == before


def test_reply_to_a_pending_comment_is_refused(article, member):
    pending = make_comment(article=article, status=CommentStatus.PENDING)
    with pytest.raises(DiscussionError, match="does not exist"):
        post(article, member, parent_id=pending.pk)


def test_guests_need_the_setting_and_a_name_and_email(article):
    from django.contrib.auth.models import AnonymousUser

    guest = AnonymousUser()
    with pytest.raises(DiscussionError, match="Sign in") as refused:
        post(article, guest)
    assert refused.value.status == 403
    allow_guests(hold=True)
    with pytest.raises(DiscussionError, match="name"):
        post(article, guest, guest_email="g@example.org")
    with pytest.raises(DiscussionError, match="e-mail"):
        post(article, guest, guest_name="Gus", guest_email="not-an-address")
    comment = post(article, guest, guest_name="Gus", guest_email="g@example.org")
    assert comment.status == CommentStatus.PENDING and comment.hold_reasons == ["Posted by a guest."]
    assert comment.author_name == "Gus"
    assert Thread.objects.get(page=article).comment_count == 0


def test_edit_within_the_window_marks_it_edited(article, member):
    comment = post(article, member)
    edited = check_edit_comment(comment_id=comment.pk, user=member, body="Second *thoughts*")
    assert edited.edited_at is not None and edited.body_html == "<p>Second <em>thoughts</em></p>"


def test_edit_after_the_window_or_by_someone_else_is_refused(article, member, other_member):
    comment = make_comment(article=article, author=member, created_at=timezone.now() - timedelta(minutes=16))
    with pytest.raises(DiscussionError, match="15 minutes"):
        check_edit_comment(comment_id=comment.pk, user=member, body="late")
    fresh = make_comment(article=article, author=member)
    with pytest.raises(DiscussionError, match="only your own") as refused:
        check_edit_comment(comment_id=fresh.pk, user=other_member, body="mine now")
    assert refused.value.status == 403
    fresh.refresh_from_db()
    assert fresh.edited_at is None


def test_edit_that_adds_too_many_links_goes_back_to_the_queue(article, member):
    comment = post(article, member)
    links = " ".join(f"https://spam{n}.example" for n in range(5))
    edited = check_edit_comment(comment_id=comment.pk, user=member, body=links)
    assert edited.status == CommentStatus.PENDING
    assert Thread.objects.get(page=article).comment_count == 0


def test_delete_without_replies_removes_it_and_with_replies_leaves_a_placeholder(article, member):
    alone = post(article, member, "alone")
    assert check_delete_comment(comment_id=alone.pk, user=member) is None
    assert not Comment.objects.filter(pk=alone.pk).exists()
    parent = post(article, member, "parent")
    make_comment(parent=parent)
    placeholder = check_delete_comment(comment_id=parent.pk, user=member)
    assert placeholder.is_deleted and placeholder.body == "" and placeholder.body_html == ""
    assert Thread.objects.get(page=article).comment_count == 1


def test_someone_else_cannot_delete(article, member, other_member):
    comment = post(article, member)
    with pytest.raises(DiscussionError, match="only your own"):
        check_delete_comment(comment_id=comment.pk, user=other_member)
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.fixture
def counts_in_memory(settings):
    """The rate limits' counts kept in memory (they live in Redis or a database table otherwise), so that what
    is counted here is the discussion's own statements."""
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MASTHEAD_RATE_LIMITS_IN = "cache"


def test_a_post_costs_the_same_few_queries_however_long_the_thread(article, member, counts_in_memory):
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    allow_guests()
    first = post(article, member, "Warms the cached policy and makes the thread.")
    for number in range(30):
        make_comment(article=article, body=f"Filler {number}")
    with CaptureQueriesContext(connection) as top_level:
        post(article, AnonymousUser(), "A guest's top-level comment.", guest_name="Gus", guest_email="gus@example.org")
    with CaptureQueriesContext(connection) as reply:
        post(article, member, "A member's reply.", parent_id=first.pk)
    # One query answers every rule (bans, duplicates, followers) and, for a reply, finds the parent. Then one
    # transaction: the row; a top-level comment's root, once it has an id; the thread's counters, last, so its
    # row stays locked as briefly as can be. The same statements on every database (the savepoint pair is the
    # test's own transaction making atomic() a savepoint).
    top_level, reply = top_level.captured_queries, reply.captured_queries
    statements = [query["sql"].split()[0] for query in top_level]
    assert statements == ["SELECT", "SAVEPOINT", "INSERT", "UPDATE", "UPDATE", "RELEASE"]
    assert 'SET "root_id"' in top_level[3]["sql"]
    assert '"comment_count" + 1' in top_level[4]["sql"]
    statements = [query["sql"].split()[0] for query in reply]
    assert statements == ["SELECT", "SAVEPOINT", "INSERT", "UPDATE", "RELEASE"]
    top, answer = Comment.objects.order_by("-pk")[:2][::-1]
    assert top.root_id == top.pk and answer.root_id == first.pk and answer.depth == 2


def test_a_refused_post_writes_nothing_and_stops_after_the_rules_query(article, member, counts_in_memory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(article, member, "Said once.")
    with CaptureQueriesContext(connection) as captured, pytest.raises(DiscussionError, match="already posted"):
        post(article, member, "Said once.")
    assert len(captured.captured_queries) == 1
    assert Comment.objects.count() == 1


def test_the_policy_is_cached_and_a_saved_change_applies_at_once(article, member, django_assert_num_queries):
    from masthead.discussion.models import DiscussionSettings

    set_policy(max_links=5)
    DiscussionSettings.current()
    with django_assert_num_queries(0):
        assert DiscussionSettings.current().max_links == 5
    set_policy(max_links=0)
    assert post(article, member, "see https://example.org").status == CommentStatus.PENDING
