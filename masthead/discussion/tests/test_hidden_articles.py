"""Comments under an unpublished or view-restricted article are out of reach of every discussion endpoint that
reads or writes one comment: votes first (they answer with the comment's text; ids are sequential)."""

import json

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from masthead.articles.models import ArticlePage
from masthead.discussion.factories import make_comment
from masthead.discussion.models import Vote

pytestmark = pytest.mark.django_db
SECRET = "A remark under a piece readers cannot see."


def hide(article, how):
    if how == "unpublished":
        ArticlePage.objects.get(pk=article.pk).unpublish()
    else:
        PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)


@pytest.mark.parametrize("how", ["unpublished", "view-restricted"])
def test_a_member_cannot_vote_on_or_read_a_comment_of_a_hidden_article(article, member, other_member, how):
    comment = make_comment(article=article, author=other_member, body=SECRET)
    hide(article, how)
    client = Client()
    client.force_login(member)
    responses = [
        client.post(f"/discussion/comment/{comment.pk}/vote/", {"value": "1"}, headers={"X-Discussion": "fetch"}),
        client.post(f"/discussion/comment/{comment.pk}/vote/", {"value": "1"}),
        client.post(
            f"/discussion/api/comments/{comment.pk}/vote", json.dumps({"value": 1}), content_type="application/json"
        ),
    ]
    for response in responses:
        assert response.status_code in (403, 404), response.status_code
        assert SECRET not in response.content.decode()
    assert not Vote.objects.exists()


def test_comment_ids_beyond_the_databases_integers_are_no_such_comment(member):
    client = Client()
    client.force_login(member)
    huge = 2**70
    responses = [
        client.patch(f"/discussion/api/comments/{huge}", json.dumps({"body": "x"}), content_type="application/json"),
        client.delete(f"/discussion/api/comments/{huge}"),
        client.post(f"/discussion/api/comments/{huge}/reports", json.dumps({"reason": "spam"}),
                    content_type="application/json"),
        client.post(f"/discussion/api/comments/{huge}/vote", json.dumps({"value": 1}), content_type="application/json"),
        client.post(f"/discussion/comment/{huge}/delete/"),
        client.post(f"/discussion/comment/{huge}/edit/", {"body": "x"}),
    ]
    assert [response.status_code for response in responses] == [404] * len(responses)
