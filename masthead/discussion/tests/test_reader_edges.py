"""Rough edges a reader of the discussion sees (issue 12): the way to sign in and back, "View all comments" only
when comments are hidden, and user text that keeps its own writing direction."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from masthead.accounts.factories import UserFactory
from masthead.discussion.factories import make_comment
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
