"""Every response that depends on the reader says `Cache-Control: private`; a page any reader would get does not."""

import pytest
from django.test import Client

from masthead.articles.factories import make_article, paragraph
from masthead.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db


def is_private(response) -> bool:
    return "private" in response.get("Cache-Control", "")


def test_a_signed_in_readers_pages_are_private(section):
    article = make_article(section=section, body=[paragraph("Opening.")])
    member = Client()
    member.force_login(MemberFactory().user)
    for url in (article.url, article.url, "/", "/members/account/", "/discussion/api/threads/%d" % article.pk):
        response = member.get(url)
        assert response.status_code == 200, url
        assert is_private(response), url


def test_an_anonymous_readers_page_without_cookies_may_be_shared_and_one_setting_a_cookie_may_not(section):
    article = make_article(section=section, body=[paragraph("Opening.")])
    response = Client().get("/")
    assert response.status_code == 200 and not response.cookies
    assert not is_private(response)
    page = Client().get(article.url)
    assert is_private(page) == bool(page.cookies)  # a guest form's CSRF cookie makes it this reader's page
