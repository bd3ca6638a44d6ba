"""A reader in a real browser subscribes from the end of an article, confirms from the e-mail (a real SMTP
server on 127.0.0.1), and receives the next article published, with a working one-click unsubscribe."""

import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from masthead.articles.factories import make_article, make_section, paragraph, restore_wagtail_roots
from masthead.articles.models import SectionPage
from masthead.newsletters.factories import NewsletterFactory

pytestmark = pytest.mark.browser

ADDRESS = "tide.watcher@example.org"


@pytest.fixture
def article_url(live_server, transactional_db, smtp_inbox, settings) -> str:
    settings.MASTHEAD_BASE_URL = live_server.url  # the links in the e-mail point at this server
    restore_wagtail_roots()
    NewsletterFactory(name="New at the harbour", slug="new-at-the-harbour", default_on_sign_up=True)
    article = make_article(
        section=make_section(), title="The first tide table", body=[paragraph("High water came early.")]
    )
    return live_server.url + article.url


def wait_for_mail(inbox, address: str, count: int, seconds: float = 10.0) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = inbox.to(address)
        if len(messages) >= count:
            return messages
        time.sleep(0.1)
    raise AssertionError(f"{address} did not receive {count} messages within {seconds} s")


def test_reader_subscribes_from_an_article_and_receives_the_next_one(
    article_url, smtp_inbox, live_server, page: Page, artifacts_dir
):
    page.goto(article_url)
    box = page.locator("aside.newsletter-signup")
    expect(box).to_contain_text("New articles by e-mail")
    box.get_by_label("E-mail address").fill(ADDRESS)
    box.get_by_role("button", name="Subscribe by e-mail").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")

    [confirmation] = wait_for_mail(smtp_inbox, ADDRESS, 1)
    link = re.search(r"http://\S+/subscribe/confirm/\S+/", confirmation.get_content()).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("h1")).to_have_text("You are subscribed")
    expect(page.locator("main")).to_contain_text("New at the harbour")
    page.screenshot(path=artifacts_dir / "newsletter-confirmed.png", full_page=True)

    make_article(
        section=SectionPage.objects.get(),
        title="The second tide table",
        body=[paragraph("Low water lingered past noon.")],
        published_at=timezone.now(),
    )
    messages = wait_for_mail(smtp_inbox, ADDRESS, 2)
    article_mail = messages[-1]
    assert article_mail["Subject"] == "The second tide table"
    assert "Low water lingered past noon." in article_mail.get_body(("plain",)).get_content()
    assert article_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The unsubscribe link from the mail, opened in the browser: a button, then done.
    unsubscribe = str(article_mail["List-Unsubscribe"]).strip().strip("<>")
    page.goto(unsubscribe)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("You are unsubscribed")
