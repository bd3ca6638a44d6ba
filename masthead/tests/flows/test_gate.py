"""A reader in a real browser meets the gate on a members-only article, signs up by link, reads it all."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from masthead.articles.factories import restore_wagtail_roots

pytestmark = pytest.mark.browser

HIDDEN_SENTENCE = "The ledger showed the ferry company paid the harbour master twice."


@pytest.fixture
def members_article(live_server, transactional_db, smtp_inbox, settings) -> str:
    """A members-only article, committed for the live server's thread; returns its address."""
    from masthead.articles.factories import make_article, make_section, paragraph
    from masthead.articles.models import AccessLevel, ArticlePage

    settings.MASTHEAD_BASE_URL = live_server.url  # the links in the e-mail point at this server
    restore_wagtail_roots()
    article = make_article(
        section=make_section(),
        title="What the harbour ledger shows",
        body=[
            paragraph("Everyone can read how the ledger was found."),
            {"type": "preview_cut", "value": None},
            paragraph(HIDDEN_SENTENCE),
        ],
        publish=False,
    )
    article.access_level = AccessLevel.MEMBERS
    article.save_revision().publish()
    return live_server.url + ArticlePage.objects.get(pk=article.pk).url


def wait_for_mail(inbox, address: str, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = inbox.to(address)
        if messages:
            return messages[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail reached {address} within {seconds} s")


def test_reader_signs_up_at_the_gate_and_reads_the_whole_article(
    members_article, smtp_inbox, page: Page, artifacts_dir
):
    page.goto(members_article)
    expect(page.locator(".article-body")).to_contain_text("Everyone can read how the ledger was found.")
    gate = page.locator("aside.gate")
    expect(gate).to_contain_text("Subscribe now to keep reading and get access to the full archive")
    expect(gate.get_by_role("link", name="Sign in")).to_be_visible()
    assert HIDDEN_SENTENCE not in page.content()  # not hidden: absent
    page.screenshot(path=artifacts_dir / "gate-anonymous.png", full_page=True)

    gate.get_by_label("E-mail address").fill("harbour.reader@example.org")
    gate.get_by_label("Your name").fill("Harbour Reader")
    gate.get_by_role("button", name="Sign up").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")

    message = wait_for_mail(smtp_inbox, "harbour.reader@example.org")
    assert message["Subject"].startswith("Confirm your membership")
    link = re.search(r"http://[^/\s]+/members/link/[\w-]+/", message.get_content()).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm and sign in").click()

    expect(page).to_have_url(members_article)
    expect(page.locator(".article-body")).to_contain_text(HIDDEN_SENTENCE)
    expect(page.locator("aside.gate")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "gate-after-sign-up.png", full_page=True)

    # The link was single use: opening it again says so and offers a new one.
    page.goto(link)
    expect(page.locator("h1")).to_have_text("This link was already used")
    expect(page.get_by_role("button", name="Send me a new link")).to_be_visible()
