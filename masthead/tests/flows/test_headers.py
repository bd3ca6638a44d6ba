"""Security headers every page carries: a Content-Security-Policy with no inline script, which the site's own
pages (and the API docs, served from local assets) keep in a real browser."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Page

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import ArticlePage


def script_sources(policy: str) -> list[str]:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return directives["script-src"].split()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "ARTICLE", "/members/sign-in/", "/api/docs", "/search/?q=water"])
def test_pages_carry_a_policy_without_inline_script(section, path):
    article = make_article(section=section, body=[paragraph("Opening.")])
    response = Client().get(article.url if path == "ARTICLE" else path)
    assert response.status_code == 200
    sources = script_sources(response["Content-Security-Policy"])
    assert sources == ["'self'"]
    if path == "/api/docs":
        html = response.content.decode()
        assert "cdn." not in html and "/static/ninja/swagger-ui-bundle" in html


@pytest.mark.browser
def test_the_sites_own_pages_break_no_rule_of_their_policy(demo_site, page: Page):
    article = ArticlePage.objects.live().filter(language="en").order_by("-first_published_at").first()
    paths = ["/", urlsplit(article.get_full_url()).path, "/members/sign-in/", "/api/docs", "/search/?q=water"]
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    for path in paths:
        page.goto(demo_site + path)
        page.wait_for_load_state("networkidle")
    assert violations == []
