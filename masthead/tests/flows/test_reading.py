"""A reader in a real browser: from the home page to a republished piece and an Arabic one; a missing page."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from masthead.articles.models import ArticlePage

pytestmark = pytest.mark.browser

REPUBLISHED_SLUG = "port-concessions-hidden-fiscal-risk"


def path_of(article: ArticlePage) -> str:
    return urlsplit(article.get_full_url()).path


def open_card_from_home(page: Page, site_url: str, path: str, kicker: str = "") -> None:
    """Go to the home page and click the title of an article card linking to `path`, as a reader would."""
    page.goto(site_url + "/")
    cards = page.locator("article.card").filter(has=page.locator(f'.card-title a[href$="{path}"]'))
    if kicker:
        cards = cards.filter(has=page.locator(".kicker", has_text=kicker))
    cards.first.locator(".card-title a").click()
    expect(page).to_have_url(site_url + path)


def test_reader_opens_a_republished_article_from_the_home_page(demo_site, page: Page, artifacts_dir):
    # What the page should show is read before the browser loads anything, so the test's thread and the live
    # server's thread never use the database at the same time.
    article = ArticlePage.objects.live().select_related("source_outlet").get(slug=REPUBLISHED_SLUG)
    assert article.is_republished
    outlet = article.source_outlet.name
    authors = article.byline
    path = path_of(article)

    open_card_from_home(page, demo_site, path, kicker=outlet)

    expect(page.locator("h1.article-title")).to_have_text(article.title)
    expect(page.locator("article .standfirst")).to_have_text(article.standfirst)
    bios = page.locator(".author-bio")
    expect(bios).to_have_count(len(authors))
    for bio, author in zip(bios.all(), authors):
        expect(bio).to_contain_text(author.name)
        expect(bio).to_contain_text(author.bio)
    original_link = page.locator("a.original-link")
    expect(original_link).to_have_text(f"View on {outlet} website")
    expect(original_link).to_have_attribute("href", article.original_url)
    canonical = page.locator('head link[rel="canonical"]')
    expect(canonical).to_have_count(1)
    expect(canonical).to_have_attribute("href", article.original_url)

    screenshot = artifacts_dir / "article-page.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.is_file() and screenshot.stat().st_size > 0


def test_arabic_article_reads_right_to_left(demo_site, page: Page):
    # The demo has an Arabic edition of several pieces; the home page shows the latest of them.
    page.goto(demo_site + "/")
    shown = page.locator("article.card .card-title a").evaluate_all("links => links.map(a => a.pathname)")
    article = next(
        article for article in ArticlePage.objects.live().filter(language="ar").order_by("-first_published_at")
        if path_of(article) in shown
    )
    path = path_of(article)

    open_card_from_home(page, demo_site, path)

    expect(page.locator("h1.article-title")).to_have_text(article.title)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    article_element = page.locator("article.article")
    expect(article_element).to_have_attribute("lang", "ar")
    expect(article_element).to_have_attribute("dir", "rtl")
    # The attribute is only half of it: the browser must actually lay the text out right to left.
    expect(article_element).to_have_css("direction", "rtl")


def test_unknown_address_shows_the_styled_not_found_page(demo_site, page: Page):
    response = page.goto(demo_site + "/no-such-section/no-such-article/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
    # Styled: the publication's own layout and stylesheet, not a bare server error page.
    expect(page.locator(".site-header .site-name")).to_have_text("The Northwind Dispatch")
    expect(page.locator(".error-page")).to_have_css("text-align", "center")
