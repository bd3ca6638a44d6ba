"""A member in a real browser selects a passage, comments on it, sees it highlighted; the article is revised
above the passage and republished, and the highlight stays on the same words."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Browser, Page, expect

from masthead.articles.factories import restore_wagtail_roots

pytestmark = pytest.mark.browser

OPENING = "The reservoir fell to a third of its capacity in August, the lowest level since records began."
PASSAGE = "the leaking aqueduct"
MIDDLE = f"Engineers blamed {PASSAGE}, which loses a fifth of the water it carries on the way to town."
CLOSING = "The council promised repairs by spring, but the contract has not yet been signed."


@pytest.fixture
def feedback_site(live_server, transactional_db):
    """An article with three paragraphs and a signed-in member, committed for the live server's thread."""
    from masthead.accounts.factories import UserFactory, signed_in_session_key
    from masthead.articles.factories import make_article, make_section, paragraph

    restore_wagtail_roots()
    body = [{**paragraph(text), "id": f"block-{n}"} for n, text in enumerate((OPENING, MIDDLE, CLOSING))]
    article = make_article(section=make_section(), title="The dry reservoir", body=body)
    member = UserFactory(display_name="Mina Member")
    return {"article": article, "url": live_server.url + article.url, "base": live_server.url,
            "session": signed_in_session_key(member)}


def signed_in_page(browser: Browser, site: dict, **context_options) -> Page:
    context = browser.new_context(**context_options)
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": site["session"], "url": site["base"]}]
    )
    return context.new_page()


def drag_select(page: Page, block_id: str, words: str) -> None:
    """Select `words` in a block with the mouse, as a reader would: press before the first letter, release after
    the last."""
    box = page.evaluate(
        """([blockId, words]) => {
            const block = document.querySelector(`[data-block-id="${blockId}"]`);
            const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(words);
                if (at === -1) continue;
                const first = document.createRange();
                first.setStart(node, at); first.setEnd(node, at + 1);
                const last = document.createRange();
                last.setStart(node, at + words.length - 1); last.setEnd(node, at + words.length);
                const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
                return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
            }
            return null;
        }""",
        [block_id, words],
    )
    assert box is not None, f"{words!r} is not in block {block_id}"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()
    assert page.evaluate("window.getSelection().toString()") == words


def test_reader_comments_on_a_passage_that_survives_a_revision(feedback_site, browser: Browser, artifacts_dir):
    from masthead.annotations.models import AnchorState, InlineAnchor
    from masthead.articles.factories import paragraph
    from masthead.articles.models import ArticlePage

    site = feedback_site
    page = signed_in_page(browser, site, viewport={"width": 1280, "height": 900})
    page.goto(site["url"])

    drag_select(page, "block-1", PASSAGE)
    button = page.get_by_role("button", name="Comment on this")
    expect(button).to_be_visible()
    button.click()
    composer = page.locator("form.inline-composer")
    expect(composer.locator("[data-composer-quote]")).to_have_text(PASSAGE)
    composer.get_by_label("Your comment").fill("Is a fifth measured *by volume*?")
    composer.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_contain_text("Your comment is posted.")

    mark = page.locator('[data-block-id="block-1"] mark.inline-passage')
    expect(mark).to_have_text(PASSAGE)
    marker = page.locator('[data-block-id="block-1"] .passage-marker')
    expect(marker).to_have_text("1")
    anchor = InlineAnchor.objects.select_related("comment").get()
    assert (anchor.block_id, anchor.quote_exact) == ("block-1", PASSAGE)
    assert anchor.comment.body == "Is a fifth measured *by volume*?"

    page.reload()
    expect(mark).to_have_text(PASSAGE)
    expect(marker).to_have_text("1")
    marker.click()
    panel = page.locator("[data-passage-panel]")
    expect(panel).to_contain_text("1 comment on")
    expect(panel.locator(".comment-body em")).to_have_text("by volume")
    # The discussion shows the comment with its quote, linked to the highlighted passage.
    quote = page.locator(f"#comment-{anchor.comment_id} .comment-passage")
    expect(quote.locator("blockquote")).to_have_text(PASSAGE)
    expect(page.locator(".discussion-sort [data-inline-filter]")).to_have_text("Inline feedback")

    # An editor inserts a paragraph above the passage and republishes.
    article = ArticlePage.objects.get(pk=site["article"].pk)
    body = list(article.body.raw_data)
    body.insert(0, {**paragraph("A new opening paragraph, written after readers had begun to comment."),
                    "id": "block-new"})
    body[2]["value"] = "<p>Last week engineers blamed <b>the leaking aqueduct</b>, which loses a fifth of the water.</p>"
    article.body = body
    article.save_revision().publish()
    anchor.refresh_from_db()
    assert anchor.state == AnchorState.EXACT and anchor.resolved_exact == PASSAGE
    assert anchor.resolved_start != anchor.position_start  # the words moved within their paragraph

    page.reload()
    expect(page.locator('[data-block-id="block-new"]')).to_contain_text("A new opening paragraph")
    expect(mark).to_have_text(PASSAGE)
    expect(mark).to_have_count(1)
    expect(marker).to_have_text("1")
    quote.locator("a[data-passage-link]").click()
    expect(mark).to_have_class("inline-passage is-flashing")
    marker.click()
    expect(panel).to_contain_text("Is a fifth measured")
    page.screenshot(path=artifacts_dir / "inline-feedback.png", full_page=True)


def test_narrow_screens_and_no_javascript(feedback_site, browser: Browser, artifacts_dir):
    from masthead.annotations.factories import make_inline_comment

    site = feedback_site
    make_inline_comment(article=site["article"], words=PASSAGE, body="On the pipes")
    phone = signed_in_page(browser, site, viewport={"width": 390, "height": 800}, has_touch=True)
    phone.goto(site["url"])
    phone.locator(".passage-marker").click()
    panel = phone.locator("[data-passage-panel]")
    expect(panel).to_contain_text("On the pipes")
    # Below the passage's paragraph, in the flow of the text.
    assert panel.bounding_box()["y"] > phone.locator('[data-block-id="block-1"]').bounding_box()["y"]
    phone.screenshot(path=artifacts_dir / "inline-feedback-narrow.png", full_page=True)

    plain = signed_in_page(browser, site, java_script_enabled=False)
    plain.goto(site["url"])
    expect(plain.locator(".comment-passage blockquote")).to_have_text(PASSAGE)
    expect(plain.locator("mark.inline-passage")).to_have_count(0)
    plain.get_by_role("link", name="Show only inline feedback").click()
    expect(plain.locator(".comment-body")).to_have_text("On the pipes")
