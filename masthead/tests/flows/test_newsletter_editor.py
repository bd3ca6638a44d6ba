"""In a real browser: a reader subscribes from an article page and confirms from the mail (a real SMTP server on
127.0.0.1); an editor publishes a new article with "Publish and send…" in the Wagtail admin, choosing the
newsletter and segment; the reader receives it, and the editor watches the send's page count it."""

import re
import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from playwright.sync_api import Browser, Page, expect

from masthead.articles.factories import make_article, make_section, paragraph, restore_wagtail_roots
from masthead.newsletters.factories import NewsletterFactory
from masthead.newsletters.models import Send, Segment
from masthead.tests.flows.test_publishing import moderators_group

pytestmark = pytest.mark.browser

READER = "quay.reader@example.org"


@pytest.fixture
def newsroom(live_server, transactional_db, smtp_inbox, settings):
    from masthead.accounts.factories import UserFactory, signed_in_session_key

    settings.MASTHEAD_BASE_URL = live_server.url  # the links in the e-mail point at this server
    restore_wagtail_roots()
    letter = NewsletterFactory(name="Quay bulletin", slug="quay-bulletin", default_on_sign_up=True)
    section = make_section()
    published = make_article(section=section, title="The harbour wall", body=[paragraph("Stones from the old fort.")])
    draft = make_article(
        section=section, title="The night the cranes stopped", body=[paragraph("Not one crane moved after ten.")],
        publish=False,
    )
    editor = UserFactory(username="edna", email="edna@example.org", is_staff=False)
    group = moderators_group()
    group.permissions.add(*Permission.objects.filter(content_type__app_label="newsletters",
                                                     codename__in=["view_send", "change_send"]))
    editor.groups.add(group)
    return {
        "base": live_server.url,
        "article_url": live_server.url + published.url,
        "draft": draft,
        "letter": letter,
        "session": signed_in_session_key(editor),
    }


def wait_for_mail(inbox, address: str, count: int, seconds: float = 15.0) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = inbox.to(address)
        if len(messages) >= count:
            return messages
        time.sleep(0.1)
    raise AssertionError(f"{address} did not receive {count} messages within {seconds} s")


def test_reader_subscribes_and_receives_what_the_editor_publishes_and_sends(
    newsroom, smtp_inbox, browser: Browser, page: Page, artifacts_dir
):
    # The reader, on the article page.
    page.goto(newsroom["article_url"])
    box = page.locator("aside.newsletter-signup")
    box.get_by_label("E-mail address").fill(READER)
    box.get_by_role("button", name="Subscribe by e-mail").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")
    [confirmation] = wait_for_mail(smtp_inbox, READER, 1)
    link = re.search(r"http://\S+/subscribe/confirm/\S+/", confirmation.get_content()).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("main")).to_contain_text("Quay bulletin")

    # The editor, in the admin: "Publish and send…" to the bulletin's subscribers, everyone.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": newsroom["session"], "url": newsroom["base"]}]
    )
    admin = context.new_page()
    admin.goto(f"{newsroom['base']}/admin/pages/{newsroom['draft'].pk}/edit/")
    admin.locator("footer").get_by_role("button", name="More actions").click()
    admin.get_by_label("Newsletter and segment to send it to").select_option(
        f"{newsroom['letter'].pk}:{Segment.EVERYONE}"
    )
    admin.screenshot(path=artifacts_dir / "newsletter-publish-and-send-menu.png")
    admin.get_by_role("button", name="Publish and send…").click()
    expect(admin.locator(".messages")).to_contain_text("published")

    messages = wait_for_mail(smtp_inbox, READER, 2)
    article_mail = messages[-1]
    assert article_mail["Subject"] == "The night the cranes stopped"
    assert "Not one crane moved after ten." in article_mail.get_body(("plain",)).get_content()
    assert article_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The send's page counts the message.
    send = Send.objects.get(article_id=newsroom["draft"].pk)
    admin.goto(f"{newsroom['base']}/admin/newsletters/sends/{send.pk}/")
    expect(admin.locator('[data-count="sent"]')).to_have_text("1")
    expect(admin.locator("main")).to_contain_text("Done")
    admin.screenshot(path=artifacts_dir / "newsletter-send-page.png", full_page=True)
    context.close()
