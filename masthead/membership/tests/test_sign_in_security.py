"""The sign-in form under CSRF checks (on its page and in the gate of cached article pages), and `next`."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from masthead.articles.models import AccessLevel
from masthead.membership.factories import MemberFactory
from masthead.membership.models import SignInLink
from masthead.membership.tests.test_gate_pages import article as gated_article
from masthead.membership.tests.test_gate_pages import gate_mode

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://127\.0\.0\.1:8000(/members/link/[\w-]+/)")
FORM_TOKEN = re.compile(
    r'<form class="request-link" method="post" action="/members/sign-in/">'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def ask_for_link(client, token, email, **extra):
    return client.post("/members/sign-in/", {"csrfmiddlewaretoken": token, "email": email, **extra})


def test_a_cross_site_post_to_sign_in_is_refused(smtp_inbox, django_capture_on_commit_callbacks):
    browser = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/members/sign-in/", {"email": "victim@example.org"})
    assert response.status_code == 403
    assert len(smtp_inbox) == 0 and not SignInLink.objects.exists()


def test_the_sign_in_page_form_carries_a_token_that_works(smtp_inbox, django_capture_on_commit_callbacks):
    browser = Client(enforce_csrf_checks=True)
    (token,) = FORM_TOKEN.findall(browser.get("/members/sign-in/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_link(browser, token, "reader@example.org")
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert len(smtp_inbox.to("reader@example.org")) == 1


@pytest.mark.parametrize(
    "mode, level, button",
    [("paywall", AccessLevel.MEMBERS, "Sign up"), ("soft_prompt", AccessLevel.PUBLIC, "Become a member")],
)
def test_the_gate_form_in_a_cached_article_page_works_under_csrf_checks(
    section, smtp_inbox, django_capture_on_commit_callbacks, mode, level, button
):
    gate_mode(mode)
    piece = gated_article(section, level)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    # The first reader's view fills the page cache; the second reader is served from it.
    pages = [first.get(piece.url).content.decode(), first.get(piece.url).content.decode()]
    with CaptureQueriesContext(connection) as cached_view:
        pages.append(second.get(piece.url).content.decode())
    assert len(cached_view) <= 2, [query["sql"] for query in cached_view]
    assert all(button in html and "masthead-hole-" not in html for html in pages)
    tokens = [FORM_TOKEN.findall(html) for html in pages]
    assert all(len(found) == 1 for found in tokens)
    first_token, second_token = tokens[1][0], tokens[2][0]
    assert first_token != second_token
    # A token is good only with its reader's cookie: the cache did not hand one reader's token to another.
    assert ask_for_link(second, first_token, "mixed@example.org").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert ask_for_link(first, first_token, "first@example.org", next=piece.url).status_code == 200
        assert ask_for_link(second, second_token, "second@example.org", next=piece.url).status_code == 200
    assert len(smtp_inbox.to("first@example.org")) == len(smtp_inbox.to("second@example.org")) == 1
    assert set(SignInLink.objects.filter(email__in=["first@example.org", "second@example.org"])
               .values_list("next_path", flat=True)) == {piece.url}


NEXT_VALUES = [
    ("//evil.example", "/members/account/"),
    ("https://evil.example/", "/members/account/"),
    ("/\\evil.example", "/members/account/"),
    ("javascript:alert(1)", "/members/account/"),
    ("/\t/evil.example", "/members/account/"),  # browsers drop the tab and read //evil.example
    ("/analysis/a-piece/?page=2#discussion", "/analysis/a-piece/?page=2#discussion"),
]


@pytest.mark.parametrize("next_value, landing", NEXT_VALUES)
def test_after_the_link_the_reader_lands_on_this_site_only(
    client, smtp_inbox, django_capture_on_commit_callbacks, next_value, landing
):
    MemberFactory(user__email="reader@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/members/sign-in/", {"email": "reader@example.org", "next": next_value})
    (path,) = LINK.findall(smtp_inbox.to("reader@example.org")[0].get_content())
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == landing


@pytest.mark.parametrize("next_value, landing", NEXT_VALUES)
def test_a_stored_next_is_checked_again_when_the_link_is_used(
    client, smtp_inbox, django_capture_on_commit_callbacks, next_value, landing
):
    # Links asked for before the check was as strict as Django's are still in the database for 15 minutes.
    MemberFactory(user__email="reader@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/members/sign-in/", {"email": "reader@example.org"})
    SignInLink.objects.update(next_path=next_value)
    (path,) = LINK.findall(smtp_inbox.to("reader@example.org")[0].get_content())
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == landing


@pytest.mark.parametrize("next_value, landing", NEXT_VALUES)
def test_the_sign_in_page_carries_only_a_safe_next(client, next_value, landing):
    html = client.get("/members/sign-in/", {"next": next_value}).content.decode()
    kept = re.search(r'<input type="hidden" name="next" value="([^"]*)">', html).group(1)
    assert kept == ("" if landing == "/members/account/" else next_value.replace("&", "&amp;"))
