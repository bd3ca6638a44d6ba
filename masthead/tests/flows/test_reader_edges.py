"""Rough edges of the discussion, inline feedback and the gate, seen in a real browser at desktop and phone widths
(issue 12): the composer hides "Comment on this", the forms look like the rest of the site, the gate's fade."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Browser, Page, expect

from masthead.articles.factories import restore_wagtail_roots
from masthead.tests.flows.test_inline_feedback import MIDDLE, OPENING, PASSAGE, CLOSING, drag_select

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def shots() -> Path:
    folder = Path(os.environ.get("MASTHEAD_ARTIFACTS_DIR") or "/tmp/shots-roughdisc")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def edges_site(live_server, transactional_db):
    """An article open to guests' comments with one comment, a gated article, and a signed-in member."""
    from masthead.accounts.factories import UserFactory, signed_in_session_key
    from masthead.articles.factories import make_article, make_section, paragraph
    from masthead.articles.models import AccessLevel, ArticlePage
    from masthead.discussion.factories import allow_guests, make_comment

    restore_wagtail_roots()
    allow_guests()
    section = make_section()
    body = [{**paragraph(text), "id": f"block-{n}"} for n, text in enumerate((OPENING, MIDDLE, CLOSING))]
    article = make_article(section=section, title="The dry reservoir", body=body)
    other = UserFactory(display_name="Orla Other")
    make_comment(article=article, author=other, body="The aqueduct was mended once already, in 1998.")
    member = UserFactory(display_name="Mina Member")
    own = make_comment(article=article, author=member, body="My own remark, still editable.")
    gated = make_article(
        section=section,
        title="What the harbour ledger shows",
        body=[
            paragraph("Everyone can read how the ledger was found, in a box of papers the harbour office "
                      "threw out when it moved across the river last spring."),
            {"type": "preview_cut", "value": None},
            paragraph("The ledger showed the ferry company paid the harbour master twice."),
        ],
        publish=False,
    )
    gated.access_level = AccessLevel.MEMBERS
    gated.save_revision().publish()
    return {
        "url": live_server.url + article.url,
        "gated": live_server.url + ArticlePage.objects.get(pk=gated.pk).url,
        "base": live_server.url,
        "session": signed_in_session_key(member),
        "own": own,
    }


def new_page(browser: Browser, site: dict, width: str, *, signed_in: bool) -> Page:
    context = browser.new_context(viewport=WIDTHS[width], has_touch=width == "phone")
    if signed_in:
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": site["session"], "url": site["base"]}]
        )
    return context.new_page()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_comment_on_this_hides_when_the_composer_opens(edges_site, browser: Browser, shots, width):
    page = new_page(browser, edges_site, width, signed_in=True)
    page.goto(edges_site["url"])
    expect(page.locator(".inline-feedback-hint")).to_contain_text("Select words")
    drag_select(page, "block-1", PASSAGE)
    button = page.get_by_role("button", name="Comment on this")
    expect(button).to_be_visible()
    button.click()
    composer = page.locator("form.inline-composer")
    expect(composer).to_be_visible()
    page.wait_for_timeout(400)  # longer than the script's wait after a selection change
    expect(button).to_be_hidden()
    composer.screenshot(path=shots / f"composer-{width}.png")
    page.screenshot(path=shots / f"composer-page-{width}.png")
    # Cancelled, the next selection brings it back.
    composer.get_by_role("button", name="Cancel").click()
    drag_select(page, "block-2", "the contract")
    expect(button).to_be_visible()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_guest_form_edit_box_and_report_reasons_look_like_the_site(edges_site, browser: Browser, shots, width):
    guest = new_page(browser, edges_site, width, signed_in=False)
    guest.goto(edges_site["url"])
    form = guest.locator("#comment-form")
    name = form.get_by_label("Name")
    body = form.get_by_label("Your comment")
    # The guest's name has the site's border and font, not the browser's, and the width of the sign-in form's
    # address field (24rem) where the column allows, the whole column on a phone.
    assert abs(name.bounding_box()["width"] - min(24 * 16, body.bounding_box()["width"])) < 2
    assert name.evaluate("e => getComputedStyle(e).fontFamily") == body.evaluate("e => getComputedStyle(e).fontFamily")
    assert name.evaluate("e => getComputedStyle(e).borderTopColor") == body.evaluate(
        "e => getComputedStyle(e).borderTopColor"
    )
    form.screenshot(path=shots / f"guest-form-{width}.png")

    member = new_page(browser, edges_site, width, signed_in=True)
    member.goto(edges_site["url"])
    own = member.locator(f"#comment-{edges_site['own'].pk}")
    own.get_by_role("link", name="Edit").click()
    edit_box = own.locator("textarea[name=body]")
    expect(edit_box).to_be_visible()
    assert edit_box.bounding_box()["width"] > own.bounding_box()["width"] * 0.8
    own.screenshot(path=shots / f"edit-box-{width}.png")

    other = member.locator("li.comment-item").filter(has_text="mended once already").first
    other.get_by_role("link", name="Report").click()
    reasons = other.locator("fieldset")
    expect(reasons).to_be_visible()
    labels = reasons.locator("label")
    # One reason a line, each with its radio button at the start of its line.
    boxes = [labels.nth(n).bounding_box() for n in range(labels.count())]
    assert len({round(box["x"]) for box in boxes}) == 1 and len({round(box["y"]) for box in boxes}) == len(boxes)
    assert reasons.evaluate("e => getComputedStyle(e).borderTopStyle") != "groove"
    other.screenshot(path=shots / f"report-reasons-{width}.png")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_gate_fade_draws_no_stray_letter(edges_site, browser: Browser, shots, width):
    page = new_page(browser, edges_site, width, signed_in=False)
    page.goto(edges_site["gated"])
    gate = page.locator("aside.gate")
    expect(gate).to_be_visible()
    box = gate.bounding_box()
    # The fade (the gate's ::before) covers the whole last line of the preview, its first and last letters too.
    fade = gate.evaluate(
        """gate => {
            const style = getComputedStyle(gate, "::before");
            const rect = gate.getBoundingClientRect();
            const border = parseFloat(getComputedStyle(gate).borderLeftWidth);
            return {left: rect.left + border + parseFloat(style.left),
                    right: rect.right - border - parseFloat(style.right)};
        }"""
    )
    line = page.locator(".article-body p").last.evaluate(
        """paragraph => {
            const range = document.createRange();
            range.selectNodeContents(paragraph);
            const rects = [...range.getClientRects()];
            return {left: Math.min(...rects.map(r => r.left)), right: Math.max(...rects.map(r => r.right))};
        }"""
    )
    assert fade["left"] <= line["left"] and fade["right"] >= line["right"], (fade, line)
    page.screenshot(
        path=shots / f"gate-fade-{width}.png",
        clip={"x": 0, "y": max(0, box["y"] - 160), "width": WIDTHS[width]["width"], "height": 320},
    )


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_guest_votes_in_place(edges_site, browser: Browser, shots, width):
    page = new_page(browser, edges_site, width, signed_in=False)
    page.goto(edges_site["url"])
    comment = page.locator("li.comment-item").filter(has_text="mended once already").first
    up = comment.locator("button.vote-up")
    expect(up).to_have_attribute("aria-pressed", "false")
    up.click()
    expect(comment.locator("button.vote-up")).to_have_attribute("aria-pressed", "true")
    expect(comment.locator(".comment-score")).to_have_text("1 point")
    comment.screenshot(path=shots / f"guest-vote-{width}.png")
    page.reload()
    comment.locator("button.vote-up").click()  # the same guest again: withdrawn, not counted twice
    expect(comment.locator(".comment-score")).to_have_text("0 points")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_sign_in_to_join_the_discussion_comes_back_to_the_article(edges_site, browser: Browser, shots, width):
    from masthead.discussion.factories import set_policy

    set_policy(who_may_comment="members")
    page = new_page(browser, edges_site, width, signed_in=False)
    page.goto(edges_site["url"])
    link = page.get_by_role("link", name="Sign in to join the discussion")
    page.locator("#discussion").screenshot(path=shots / f"discussion-sign-in-{width}.png")
    link.click()
    expect(page.locator("h1")).to_have_text("Sign in or sign up")
    assert page.locator("input[name=next]").first.input_value().endswith("#discussion")


def test_an_editor_places_a_feedback_point_by_selecting_words(edges_site, browser: Browser, shots):
    from masthead.accounts.factories import StaffFactory, signed_in_session_key
    from masthead.annotations.models import FeedbackPoint
    from masthead.articles.models import ArticlePage

    article = ArticlePage.objects.get(title="The dry reservoir")
    context = browser.new_context(viewport=WIDTHS["desktop"])
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": signed_in_session_key(StaffFactory()), "url": edges_site["base"]}])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{edges_site['base']}/admin/pages/{article.pk}/edit/")
    page.goto(f"{edges_site['base']}/admin/inline-feedback/article/{article.pk}/feedback-points/")
    submit = page.get_by_role("button", name="Ask about the selected words")
    expect(submit).to_be_disabled()
    drag_select(page, "block-1", PASSAGE)
    expect(page.locator("[data-place-chosen]")).to_have_text(f"Selected: “{PASSAGE}”")
    page.get_by_label("Question for readers").fill("Have you seen the aqueduct leak?")
    page.screenshot(path=shots / "admin-place-feedback-point.png", full_page=True)
    submit.click()
    expect(page.locator(".feedback-place-points")).to_contain_text("Have you seen the aqueduct leak?")
    point = FeedbackPoint.objects.get()
    assert (point.block_id, point.quote_exact) == ("block-1", PASSAGE)
    assert not [error for error in errors if "Content Security Policy" in error], errors

    reader = new_page(browser, edges_site, "desktop", signed_in=True)
    reader.goto(edges_site["url"])
    expect(reader.locator("[data-feedback-passage]")).to_have_text(PASSAGE)
    reader.locator(".feedback-point").screenshot(path=shots / "feedback-point-reader.png")
