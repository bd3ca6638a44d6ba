"""Tests of masthead/annotations/actions.py: posting a comment on a passage, refusals, re-attaching on publish."""

import pytest

from masthead.annotations.actions import check_post_inline_comment, do_reanchor_article, select_passage
from masthead.annotations.anchoring import AnchoringError
from masthead.annotations.factories import make_feedback_point, make_inline_comment
from masthead.annotations.models import AnchorState, InlineAnchor
from masthead.annotations.tests.conftest import FIRST, SECOND, THIRD
from masthead.articles.models import ArticlePage
from masthead.discussion.errors import DiscussionError
from masthead.discussion.factories import set_policy
from masthead.discussion.models import Comment, CommentStatus, Thread
from masthead.membership.access import Visibility

pytestmark = pytest.mark.django_db


def selection(text: str, words: str, block_id: str) -> dict:
    start = text.index(words)
    return {
        "block_id": block_id,
        "start": start,
        "end": start + len(words),
        "exact": words,
        "prefix": text[max(0, start - 32) : start],
        "suffix": text[start + len(words) : start + len(words) + 32],
    }


def post(article, user, body="Is that a fifth by volume?", **fields):
    return check_post_inline_comment(page=article, user=user, body=body, visibility=Visibility.ALL, **fields)


def test_a_comment_on_a_passage_is_a_comment_with_an_anchor(article, member):
    anchor = post(article, member, **selection(SECOND, "leaking aqueduct", "para-2"))
    assert anchor.comment.author == member and anchor.comment.status == CommentStatus.APPROVED
    thread = Thread.objects.get(page=article)
    assert anchor.comment.thread_id == thread.pk and thread.comment_count == 1
    assert (anchor.block_id, anchor.position_start, anchor.position_end) == ("para-2", 21, 37)
    assert anchor.quote_exact == "leaking aqueduct"
    assert anchor.quote_prefix == "Engineers blamed the " and anchor.quote_suffix == ", which loses a fifth of the wat"
    assert anchor.state == AnchorState.EXACT and anchor.confidence == 1.0
    assert anchor.revision_id == anchor.resolved_revision_id == article.live_revision_id
    assert InlineAnchor.objects.get().comment_id == Comment.objects.get().pk


def test_a_selection_with_surrounding_spaces_is_trimmed(article, member):
    fields = selection(FIRST, "a third", "para-1")
    fields.update(start=fields["start"] - 1, end=fields["end"] + 1, exact=" a third ")
    anchor = post(article, member, **fields)
    assert anchor.quote_exact == "a third"


LONG = "word " * 1000  # 5,000 characters


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"block_id": "para-2", "start": 70, "end": 120, "exact": "carries."}, "lies outside the text"),
        ({"block_id": "para-2", "start": -3, "end": 5, "exact": "Engin"}, "lies outside the text"),
        ({"block_id": "para-2", "start": 9, "end": 9, "exact": ""}, "The selection is empty"),
        ({"block_id": "para-2", "start": 9, "end": 10, "exact": " "}, "The selection is empty"),
        ({"block_id": "para-2", "start": 10, "end": 4, "exact": "blamed"}, "starts (10) after it ends (4)"),
        ({"block_id": "para-1", "start": 0, "end": 5000, "exact": LONG}, "5,000 characters long; select at most 2,000"),
        ({"block_id": "para-9", "start": 0, "end": 9, "exact": "Engineers"}, "cannot be commented on"),
        ({"block_id": "", "start": 0, "end": 9, "exact": "Engineers"}, "which part of the article"),
        ({"block_id": "para-1", "end_block_id": "para-2", "start": 80, "end": 9, "exact": "began. Engineers"},
         "runs across two paragraphs"),
        ({"block_id": "para-2", "start": 0, "end": 9, "exact": "Reservoir"}, "not at that place in the article"),
    ],
)
def test_bad_selections_are_refused_with_a_message_and_nothing_is_stored(article, member, fields, message):
    with pytest.raises(DiscussionError) as refusal:
        post(article, member, **fields)
    assert message in refusal.value.message and refusal.value.status == 400
    assert not Comment.objects.exists() and not InlineAnchor.objects.exists()


def test_a_comment_the_discussion_refuses_stores_no_anchor_either(article, member):
    with pytest.raises(DiscussionError, match="empty"):
        post(article, member, body="   ", **selection(SECOND, "leaking aqueduct", "para-2"))
    assert not Comment.objects.exists() and not InlineAnchor.objects.exists()


@pytest.fixture
def anchors_refused_by_the_database():
    """The database itself refuses to store an anchor (a trigger that aborts the INSERT), as a full disk or a
    lost connection would, between the comment's INSERT and the anchor's."""
    from django.db import connection

    table = InlineAnchor._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_anchor() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the disk is full'; "
                "END $$ LANGUAGE plpgsql"
            )
            cursor.execute(f"CREATE TRIGGER refuse_anchor BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_anchor()")
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_anchor BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
            )
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER refuse_anchor{' ON ' + table if connection.vendor == 'postgresql' else ''}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION refuse_anchor()")


def test_a_failing_anchor_takes_its_comment_back_out(article, member, anchors_refused_by_the_database):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="the disk is full"):
        post(article, member, **selection(SECOND, "leaking aqueduct", "para-2"))
    assert not Comment.objects.exists()


def test_readers_who_may_not_read_it_all_cannot_comment_on_a_passage(article, member):
    with pytest.raises(DiscussionError) as refusal:
        check_post_inline_comment(page=article, user=member, body="Hm", visibility=Visibility.PREVIEW,
                                  **selection(SECOND, "leaking aqueduct", "para-2"))
    assert refusal.value.status == 403 and not Comment.objects.exists()


def test_held_comments_get_their_anchor_and_wait_like_any_other(article, member):
    set_policy(hold_first_member_comment=True)
    anchor = post(article, member, **selection(SECOND, "leaking aqueduct", "para-2"))
    assert anchor.comment.status == CommentStatus.PENDING


def test_offsets_from_a_page_older_than_the_last_publish_are_moved_to_the_same_words(article, member, republish):
    stale = selection(SECOND, "leaking aqueduct", "para-2")
    article = republish(article, FIRST, ("para-2", "Everyone agrees on this. " + SECOND), THIRD)
    anchor = post(article, member, **stale)
    assert anchor.quote_exact == "leaking aqueduct"
    assert anchor.position_start == stale["start"] + len("Everyone agrees on this. ")


def test_offsets_whose_words_are_gone_are_refused(article, republish):
    stale = selection(SECOND, "leaking aqueduct", "para-2")
    article = republish(article, FIRST, ("para-2", "Engineers blamed the weather."), THIRD)
    with pytest.raises(AnchoringError, match="outside the text"):
        select_passage(article, **stale)


def test_answers_to_a_feedback_point_are_anchored_on_its_passage(article, member):
    point = make_feedback_point(article=article, words="a fifth of the water", question="Who measured it?")
    anchor = post(article, member, body="The utility did, in 2023.", feedback_point_id=point.pk)
    assert anchor.feedback_point == point and anchor.quote_exact == "a fifth of the water"
    point.is_open = False
    point.save()
    with pytest.raises(DiscussionError, match="no longer takes answers"):
        post(article, member, body="Late answer", feedback_point_id=point.pk)
    with pytest.raises(DiscussionError, match="no such question"):
        post(article, member, body="Wrong", feedback_point_id=point.pk + 100)


def test_publishing_re_attaches_anchors_in_a_task(article, republish):
    moved = make_inline_comment(article=article, words="leaking aqueduct")
    typo = make_inline_comment(article=article, words="lowest level since records began")
    gone = make_inline_comment(article=article, words="contract has not yet been signed")
    point = make_feedback_point(article=article, words="promised repairs by spring")
    article = republish(
        article,
        "A new first paragraph, inserted above everything else.",
        ("para-1", FIRST.replace("lowest level", "lowest levle")),
        SECOND,
        ("para-3", "The council promised repairs by spring."),
    )
    moved.refresh_from_db()
    typo.refresh_from_db()
    gone.refresh_from_db()
    point.refresh_from_db()
    assert moved.state == AnchorState.EXACT and moved.resolved_block_id == "para-2"
    assert moved.resolved_start == moved.position_start
    assert moved.resolved_exact == "leaking aqueduct" and moved.resolved_revision_id == article.live_revision_id
    assert (moved.block_id, moved.quote_exact) == ("para-2", "leaking aqueduct")  # as chosen, for good
    assert typo.state == AnchorState.FUZZY and 0.5 < typo.confidence < 1
    assert typo.resolved_exact == "lowest levle since records began"
    assert gone.state == AnchorState.ORPHANED and gone.quote_exact == "contract has not yet been signed"
    assert point.state == AnchorState.EXACT and point.resolved_block_id == "para-3"


def test_an_orphaned_passage_comes_back_when_its_words_do(article, republish):
    anchor = make_inline_comment(article=article, words="contract has not yet been signed")
    republish(article, FIRST, SECOND)
    anchor.refresh_from_db()
    assert anchor.state == AnchorState.ORPHANED
    republish(article, FIRST, SECOND, THIRD)
    anchor.refresh_from_db()
    assert anchor.state == AnchorState.EXACT and anchor.resolved_block_id == "para-3"


def test_re_anchoring_skips_passages_already_resolved_on_the_live_revision(article, django_assert_num_queries):
    make_inline_comment(article=article, words="leaking aqueduct")
    article = ArticlePage.objects.get(pk=article.pk)
    with django_assert_num_queries(2):  # one select per kind of passage, nothing to update
        counts = do_reanchor_article(article=article)
    assert counts == {"exact": 0, "fuzzy": 0, "orphaned": 0}
