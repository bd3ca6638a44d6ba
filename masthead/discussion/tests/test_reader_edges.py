"""Rough edges a reader of the discussion sees (issue 12): the way to sign in and back, "View all comments" only
when comments are hidden, and user text that keeps its own writing direction."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from masthead.accounts.factories import UserFactory
from masthead.discussion import guests
from masthead.discussion.factories import allow_guests, make_comment
from masthead.discussion.models import Vote
from masthead.discussion.tests.test_views import bulk_thread, text

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://127\.0\.0\.1:8000(/members/link/[\w-]+/)")


def sign_in_href(html: str, words: str) -> str:
    match = re.search(rf'<a href="([^"]*)">{re.escape(words)}</a>', html)
    assert match, f"no link {words!r}"
    return unescape(match.group(1))


def test_sign_in_to_join_the_discussion_is_a_link_back_to_the_article(
    client, article, smtp_inbox, django_capture_on_commit_callbacks
):
    html = text(client.get(article.url))
    href = sign_in_href(html, "Sign in to join the discussion")
    address = urlsplit(href)
    assert address.path == "/members/sign-in/"
    assert parse_qs(address.query)["next"] == [f"{article.url}#discussion"]
    # The sign-in page carries it into the form, the e-mailed link keeps it, and using the link comes back.
    form_page = text(client.get(href))
    assert f'name="next" value="{article.url}#discussion"' in form_page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/members/sign-in/", {"email": "reader@example.org", "next": f"{article.url}#discussion"})
    (message,) = smtp_inbox.to("reader@example.org")
    path = LINK.search(message.get_content()).group(1)
    client.get(path)
    done = client.post(path)
    assert done.status_code == 302 and done["Location"] == f"{article.url}#discussion"
    assert "Sign in to join the discussion" not in text(client.get(article.url))


def test_header_sign_in_returns_to_the_page_it_was_clicked_on(client, article):
    for path in (article.url, "/archive/"):
        first = text(client.get(path))
        assert parse_qs(urlsplit(sign_in_href(first, "Sign in")).query)["next"] == [path]
    # The article page is cached for every signed-out reader: the next is the page's own path, the same for all,
    # and never the query string one reader came with.
    tracked = text(client.get(article.url + "?utm_source=someone-else"))
    assert parse_qs(urlsplit(sign_in_href(tracked, "Sign in")).query)["next"] == [article.url]


def test_an_outside_next_is_dropped(client):
    page = text(client.get("/members/sign-in/?next=//evil.example.com/"))
    assert 'name="next" value=""' in page or 'name="next"' not in page
    assert "evil.example.com" not in page


def test_the_header_sign_in_on_the_sign_in_page_does_not_loop(client):
    page = text(client.get("/members/sign-in/"))
    href = sign_in_href(page, "Sign in")
    again = text(client.get(href))
    assert 'name="next" value="/members/sign-in/"' not in again


def test_view_all_comments_only_when_some_are_hidden(client, article):
    make_comment(article=article)
    make_comment(article=article)
    assert "View all comments" not in text(client.get(article.url))


def test_view_all_comments_when_a_second_page_exists_but_not_on_the_all_comments_page(client, article):
    bulk_thread(article, 60, reply_share=0)
    assert "View all comments" in text(client.get(article.url))
    assert "View all comments" not in text(client.get(f"/discussion/{article.pk}/"))


def test_user_text_keeps_its_own_direction(client, article):
    author = UserFactory(display_name="سارا")
    comment = make_comment(article=article, author=author, body="هذا تعليق بالعربية.")
    make_comment(parent=comment, body="A reply in English.")
    html = text(client.get(article.url))
    assert '<span class="comment-author" dir="auto">سارا</span>' in html
    assert re.search(r'<div class="comment-body" dir="auto"><p>هذا تعليق بالعربية.</p>', html)
    reply_page = text(client.get(f"/discussion/comment/{comment.pk}/reply/"))
    assert '<blockquote class="replying-to" dir="auto">' in reply_page
    assert "<bdi>سارا</bdi>" in reply_page


# --- Guests vote when the policy lets guests comment -----------------------------------------------------------


def vote_as_guest(client, comment, value=1, **headers):
    return client.post(f"/discussion/comment/{comment.pk}/vote/", {"value": value}, **headers)


def test_guests_may_not_vote_when_only_members_comment(client, article):
    comment = make_comment(article=article)
    assert 'class="vote-form"' not in text(client.get(article.url))
    response = vote_as_guest(client, comment)
    assert response.status_code == 403 and "Sign in to vote." in text(response)
    assert not Vote.objects.exists()


def test_a_guest_votes_once_per_comment_when_guests_may_comment(client, article):
    allow_guests()
    comment = make_comment(article=article)
    html = text(client.get(article.url))
    assert f'action="/discussion/comment/{comment.pk}/vote/"' in html
    assert guests.COOKIE_NAME not in client.cookies  # a shared page gives no one an id

    first = vote_as_guest(client, comment, 1)
    assert first.status_code == 303
    cookie = client.cookies[guests.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    vote_as_guest(client, comment, 1, HTTP_X_DISCUSSION="fetch")  # the same vote again withdraws it
    comment.refresh_from_db()
    assert comment.upvotes == 0 and not Vote.objects.exists()
    vote_as_guest(client, comment, -1)
    vote_as_guest(client, comment, -1 * -1)  # changed, not added
    comment.refresh_from_db()
    assert (comment.upvotes, comment.downvotes, Vote.objects.count()) == (1, 0, 1)
    vote = Vote.objects.get()
    assert vote.voter is None and len(vote.guest_key) == 64
    assert cookie.value.split(":")[0] not in vote.guest_key  # only the id's hash is stored

    # Another guest (another cookie) has their own vote.
    other = Client()
    vote_as_guest(other, comment, 1)
    comment.refresh_from_db()
    assert (comment.upvotes, Vote.objects.count()) == (2, 2)


def test_a_forged_guest_cookie_is_a_new_guest_not_someone_else(client, article):
    allow_guests()
    comment = make_comment(article=article)
    vote_as_guest(client, comment, 1)
    forger = Client()
    forger.cookies[guests.COOKIE_NAME] = "someone-else:forged"
    vote_as_guest(forger, comment, 1)  # does not withdraw the first guest's vote
    comment.refresh_from_db()
    assert comment.upvotes == 2


def test_guest_votes_are_rate_limited_per_address(client, article, settings):
    allow_guests()
    settings.MASTHEAD_DISCUSSION_GUEST_VOTES_PER_HOUR = 3
    comments = [make_comment(article=article) for _ in range(4)]
    answers = [vote_as_guest(Client(), comment, 1).status_code for comment in comments]
    assert answers == [303, 303, 303, 429]
    assert Vote.objects.count() == 3


def test_guest_votes_through_the_api(client, article):
    allow_guests()
    comment = make_comment(article=article)
    answer = client.post(
        f"/discussion/api/comments/{comment.pk}/vote", {"value": 1}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["upvotes"] == 1 and answer.json()["my_vote"] == 1
    assert guests.COOKIE_NAME in client.cookies
    # Now the guest holds an id: a post without the CSRF token is refused.
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[guests.COOKIE_NAME] = client.cookies[guests.COOKIE_NAME].value
    refused = strict.post(f"/discussion/api/comments/{comment.pk}/vote", {"value": 1}, content_type="application/json")
    assert refused.status_code == 403
