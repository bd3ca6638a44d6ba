"""Pages go out compressed, cached article pages included, and no two responses carry the same CSRF token
(what makes compression safe from BREACH here; issue 12, rough edges: weight)."""

import gzip
import re

import pytest
from django.test import Client

from masthead.accounts.factories import UserFactory
from masthead.articles.factories import make_article, paragraph

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def compressed_get(client, url):
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200, url
    assert response["Content-Encoding"] == "gzip", url
    assert "Accept-Encoding" in response["Vary"]
    return gzip.decompress(response.content).decode()


def test_html_goes_out_gzipped(client, section, settings):
    settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = 60
    article = make_article(
        section=section, title="Salt marsh accounts", body=[paragraph("The marsh is worth more wet. " * 40)]
    )
    assert "Salt marsh accounts" in compressed_get(client, "/")
    assert "Salt marsh accounts" in compressed_get(client, "/search/?q=marsh")
    first = compressed_get(client, article.url)  # renders and stores the shared page
    again = compressed_get(client, article.url)  # answered from the page cache, before Wagtail's routing
    assert "The marsh is worth more wet." in first and "The marsh is worth more wet." in again


def test_a_client_that_does_not_ask_for_compression_gets_plain_html(client, section):
    response = client.get("/")
    assert "Content-Encoding" not in response
    assert b"</html>" in response.content


def test_each_response_carries_a_differently_masked_token(section):
    # One browser (one CSRF cookie), the same page three times: the token in the HTML differs every time, so
    # the compressed sizes of responses tell nothing about it. The article page (its comment form) is shared
    # HTML with a hole for the token, filled per response.
    article = make_article(section=section)
    anonymous = Client()
    member = Client()
    member.force_login(UserFactory())
    for reader, url in ((anonymous, "/members/sign-in/"), (member, article.url)):
        tokens = {TOKEN.search(compressed_get(reader, url)).group(1) for _ in range(3)}
        assert len(tokens) == 3, url
