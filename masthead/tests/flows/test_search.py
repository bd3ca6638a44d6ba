"""A reader searches from the header box of the demo site: an author and articles, each with byline and date."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_reader_searches_from_the_header(demo_site, page: Page, artifacts_dir):
    page.goto(demo_site + "/")
    page.locator(".site-header").screenshot(path=artifacts_dir / "search-header-box.png")
    header_box = page.locator(".site-header").get_by_role("searchbox")
    header_box.fill("tariffs")
    header_box.press("Enter")
    expect(page.locator(".result-count")).to_contain_text("for “tariffs”")
    first = page.locator(".search-result").first
    expect(first.locator(".byline time")).to_be_visible()
    expect(first.locator(".byline .authors")).to_be_visible()
    page.screenshot(path=artifacts_dir / "search-results.png", full_page=True)

    box = page.locator(".search-page").get_by_role("searchbox")
    box.fill("Halvorsen")
    box.press("Enter")
    expect(page.locator(".search-authors")).to_contain_text("Ingrid Halvorsen")
    page.locator(".search-authors").get_by_role("link", name="Ingrid Halvorsen").click()
    expect(page.locator("h1")).to_contain_text("Ingrid Halvorsen")

    page.goto(demo_site + '/search/?q="unterminated')
    expect(page.locator(".result-count")).to_be_visible()
