"""Tests of masthead/discussion/actions/votes.py: one vote per member and comment, tallies from the rows."""


import pytest

from masthead.accounts.factories import UserFactory
from masthead.articles.factories import make_article
from masthead.discussion.actions.votes import check_vote
from masthead.discussion.errors import DiscussionError
from masthead.discussion.factories import make_comment
from masthead.discussion.models import Vote, wilson_lower_bound

pytestmark = pytest.mark.django_db



def test_votes_are_one_per_member_changeable_and_withdrawable(article, member, other_member):
    comment = make_comment(article=article, author=other_member)
    check_vote(comment_id=comment.pk, user=member, value=1)
    comment.refresh_from_db()
    assert (comment.upvotes, comment.downvotes, comment.score) == (1, 0, 1)
    check_vote(comment_id=comment.pk, user=member, value="-1")
    comment.refresh_from_db()
    assert (comment.upvotes, comment.downvotes, comment.score) == (0, 1, -1)
    check_vote(comment_id=comment.pk, user=member, value=-1)
    comment.refresh_from_db()
    assert (comment.upvotes, comment.downvotes, comment.score, Vote.objects.count()) == (0, 0, 0, 0)


@pytest.mark.parametrize("value", [0, 2, -2, "up", None, "1.5"])
def test_vote_values_other_than_plus_or_minus_one_are_refused(article, member, value):
    comment = make_comment(article=article)
    with pytest.raises(DiscussionError, match=r"\+1"):
        check_vote(comment_id=comment.pk, user=member, value=value)
    assert Vote.objects.count() == 0


def test_voting_on_your_own_comment_is_refused(article, member):
    comment = make_comment(article=article, author=member)
    with pytest.raises(DiscussionError, match="your own"):
        check_vote(comment_id=comment.pk, user=member, value=1)
    assert Vote.objects.count() == 0


def test_guests_cannot_vote(article):
    from django.contrib.auth.models import AnonymousUser

    comment = make_comment(article=article)
    with pytest.raises(DiscussionError, match="Sign in") as refused:
        check_vote(comment_id=comment.pk, user=AnonymousUser(), value=1)
    assert refused.value.status == 403


def test_the_database_refuses_a_second_vote_row():
    from django.db import IntegrityError, transaction

    comment = make_comment(article=make_article())
    voter = UserFactory()
    Vote.objects.create(comment=comment, voter=voter, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(comment=comment, voter=voter, value=-1)


def test_wilson_lower_bound_prefers_a_solid_record_to_one_lucky_vote():
    assert wilson_lower_bound(50, 5) > wilson_lower_bound(1, 0)
    assert wilson_lower_bound(0, 0) == 0
    assert 0.20 < wilson_lower_bound(1, 0) < 0.22
    assert 0.79 < wilson_lower_bound(50, 5) < 0.81
