"""A member in a real browser: comment, reply, vote, sort, load more and edit, with JavaScript and without."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from masthead.articles.factories import restore_wagtail_roots

pytestmark = pytest.mark.browser


@pytest.fixture
def discussion_site(live_server, transactional_db, settings):
    """An article with seven conversations (five a page), a member and their session, committed for the server."""
    from masthead.accounts.factories import UserFactory, signed_in_session_key
    from masthead.articles.factories import make_article, make_section
    from masthead.discussion.factories import make_comment

    settings.MASTHEAD_DISCUSSION_PAGE_SIZE = 5
    restore_wagtail_roots()
    article = make_article(section=make_section(), title="Reservoirs and their keepers")
    other = UserFactory(display_name="Orla Other")
    start = timezone.now() - timedelta(days=2)
    comments = [
        make_comment(article=article, author=other, body=f"Earlier remark {n}", created_at=start + timedelta(hours=n))
        for n in range(7)
    ]
    member = UserFactory(display_name="Mina Member")
    return {
        "url": live_server.url + article.url,
        "base": live_server.url,
        "first": comments[0],
        "session": signed_in_session_key(member),
    }


def signed_in_page(browser: Browser, site: dict, *, javascript: bool) -> Page:
    context = browser.new_context(java_script_enabled=javascript)
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": site["session"], "url": site["base"]}]
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def comment_item(page: Page, text: str):
    return page.locator("li.comment-item").filter(has=page.locator(".comment-body", has_text=text)).last


def test_member_discusses_in_place_with_javascript(discussion_site, browser: Browser):
    site = discussion_site
    page = signed_in_page(browser, site, javascript=True)
    page.goto(site["url"])
    expect(page.locator(".comment-count")).to_have_text("7 comments")
    page.evaluate("window.__noReload = true")  # lost if anything below reloads the page

    page.locator("#comment-body-new").fill("A *first* thought from Mina")
    page.get_by_role("button", name="Post comment").click()
    mine = comment_item(page, "A first thought from Mina")
    expect(mine.locator(".comment-body em")).to_have_text("first")
    expect(page.locator(".comment-count")).to_have_text("8 comments")

    first = page.locator(f"#comment-{site['first'].pk}")
    first.locator("> article .reply-link").click()
    first.locator("textarea[name=body]").fill("Replying to Orla")
    first.get_by_role("button", name="Post reply").click()
    expect(first.locator("ol.replies .comment-body")).to_have_text("Replying to Orla")

    first.locator("> article").get_by_role("button", name="Vote up").click()
    expect(first.locator("> article .vote-up")).to_have_attribute("aria-pressed", "true")
    expect(first.locator("> article .comment-score")).to_have_text("1 point")

    page.locator("[data-sort-link=newest]").click()
    expect(page.locator("[data-sort-link=newest]")).to_have_attribute("aria-current", "true")
    expect(page.locator("[data-comment-list] > li").first.locator("> article .comment-body")).to_have_text(
        "A first thought from Mina"
    )
    assert "sort=newest" in page.url

    expect(page.locator("[data-comment-list] > li")).to_have_count(5)
    page.get_by_role("link", name="Load more comments").click()
    expect(page.locator("[data-comment-list] > li")).to_have_count(8)
    expect(page.get_by_role("link", name="Load more comments")).to_have_count(0)

    mine = comment_item(page, "A first thought from Mina")
    mine.get_by_role("link", name="Edit").click()
    mine.locator("textarea[name=body]").fill("A revised thought from Mina")
    mine.get_by_role("button", name="Save").click()
    edited = comment_item(page, "A revised thought from Mina")
    expect(edited.locator(".comment-edited")).to_have_text("edited")

    assert page.evaluate("window.__noReload") is True
    page.context.close()


def test_member_discusses_with_plain_forms_without_javascript(discussion_site, browser: Browser):
    site = discussion_site
    page = signed_in_page(browser, site, javascript=False)
    page.goto(site["url"])

    page.locator("#comment-body-new").fill("Posted without a script")
    page.get_by_role("button", name="Post comment").click()
    mine = comment_item(page, "Posted without a script")
    expect(mine).to_be_visible()
    assert "#comment-" in page.url

    page.goto(site["url"])
    first = page.locator(f"#comment-{site['first'].pk}")
    first.locator("> article .reply-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to Orla Other")
    page.locator("textarea[name=body]").fill("A reply without a script")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(f"#comment-{site['first'].pk} ol.replies .comment-body")).to_have_text(
        "A reply without a script"
    )

    page.locator(f"#comment-{site['first'].pk} > article").get_by_role("button", name="Vote up").click()
    expect(page.locator(f"#comment-{site['first'].pk} > article .comment-score")).to_have_text("1 point")

    page.locator("[data-sort-link=newest]").click()
    assert "sort=newest" in page.url
    expect(page.locator("[data-comment-list] > li").first.locator("> article .comment-body")).to_have_text(
        "Posted without a script"
    )

    page.get_by_role("link", name="Load more comments").click()
    assert "page=2" in page.url
    expect(page.locator("[data-comment-list] > li")).to_have_count(3)

    page.goto(site["url"])
    comment_item(page, "Posted without a script").get_by_role("link", name="Edit").click()
    page.locator("textarea[name=body]").fill("Edited without a script")
    page.get_by_role("button", name="Save").click()
    expect(comment_item(page, "Edited without a script").locator(".comment-edited")).to_have_text("edited")
    page.context.close()
