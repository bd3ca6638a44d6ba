"""Sixteen members voting on one comment at the same moment: no vote lost, the tallies equal the rows."""

import threading

import pytest
from django.db import connection, connections

from masthead.accounts.factories import UserFactory
from masthead.articles.factories import make_article
from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.actions.votes import check_vote
from masthead.discussion.factories import make_comment
from masthead.discussion.models import Comment, Thread, Vote

VOTERS = 16


@pytest.fixture
def section(transactional_db):
    # A transactional test empties every table afterwards, Wagtail's root page included; put it back first.
    from masthead.articles.factories import make_section, restore_wagtail_roots

    restore_wagtail_roots()
    return make_section()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks and parallel writers: PostgreSQL")
def test_sixteen_members_voting_at_once_lose_no_vote(section):
    comment = make_comment(article=make_article(section=section))
    voters = [UserFactory() for _ in range(VOTERS)]
    start = threading.Barrier(VOTERS)
    errors = []

    def cast(voter, value):
        try:
            start.wait()
            check_vote(comment_id=comment.pk, user=voter, value=value)
        except Exception as error:  # collected and asserted below, so a failing thread fails the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=cast, args=(voter, 1 if number % 4 else -1)) for number, voter in enumerate(voters)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    comment.refresh_from_db()
    rows = Vote.objects.filter(comment=comment)
    assert rows.count() == VOTERS
    assert comment.upvotes == rows.filter(value=1).count() == 12
    assert comment.downvotes == rows.filter(value=-1).count() == 4
    assert comment.score == 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel writers: PostgreSQL")
def test_sixteen_members_posting_at_once_are_all_counted(section):
    article = make_article(section=section)
    members = [UserFactory() for _ in range(VOTERS)]
    start = threading.Barrier(VOTERS)
    errors = []

    def post(member):
        try:
            start.wait()
            check_post_comment(page=article, user=member, body=f"From {member.username}")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Comment.objects.count() == VOTERS
    thread = Thread.objects.get(page=article)
    # Each post is one statement committed on its own: every count and every version step is there.
    assert thread.comment_count == VOTERS and thread.version == VOTERS
    assert all(comment.root_id == comment.pk for comment in Comment.objects.all())
