"""What the enhancement script gets back: fragments of the same templates, and the same 400s."""

import pytest

from masthead.discussion.factories import make_comment
from masthead.discussion.models import Comment

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_DISCUSSION": "fetch"}


def test_post_returns_the_new_comment_item(client, article, member):
    client.force_login(member)
    response = client.post(f"/discussion/{article.pk}/post/", {"body": "In place"}, **FETCH)
    comment = Comment.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<li class="comment-item depth-1" id="comment-{comment.pk}">')
    assert "<p>In place</p>" in html and "<html" not in html


def test_errors_come_back_as_a_fragment_with_the_status(client, article, member):
    client.force_login(member)
    response = client.post(f"/discussion/{article.pk}/post/", {"body": ""}, **FETCH)
    assert response.status_code == 400
    assert response.content.decode().strip().startswith('<p class="discussion-error" role="alert">')


def test_vote_returns_the_updated_comment(client, article, member):
    comment = make_comment(article=article)
    client.force_login(member)
    html = client.post(f"/discussion/comment/{comment.pk}/vote/", {"value": "1"}, **FETCH).content.decode()
    assert html.startswith(f'<article class="comment" data-comment="{comment.pk}">')
    assert 'aria-pressed="true"><span class="visually-hidden">Vote up, </span>' in html and "1 point" in html


def test_delete_says_what_was_removed(client, article, member):
    comment = make_comment(article=article, author=member)
    client.force_login(member)
    response = client.post(f"/discussion/comment/{comment.pk}/delete/", **FETCH)
    assert response["X-Discussion-Removed"] == str(comment.pk)


def test_inline_forms_and_load_more_and_sort_fragments(client, article, member, settings):
    settings.MASTHEAD_DISCUSSION_PAGE_SIZE = 2
    comments = [make_comment(article=article) for _ in range(3)]
    client.force_login(member)
    reply = client.get(f"/discussion/comment/{comments[0].pk}/reply/", **FETCH).content.decode()
    assert reply.lstrip().startswith("<form") and f'name="parent_id" value="{comments[0].pk}"' in reply
    items = client.get(f"/discussion/{article.pk}/?page=2&fragment=items", **FETCH).content.decode()
    assert items.lstrip().startswith(f'<li class="comment-item depth-1" id="comment-{comments[2].pk}">')
    section = client.get(f"/discussion/{article.pk}/?sort=newest&fragment=section", **FETCH)
    assert section.content.decode().startswith('<section id="discussion"')
    assert section.cookies["discussion_sort"].value == "newest"
