"""A reader finds their way in a real browser: Subscribe in the header, the current section marked, the authors,
topics and archive indexes, and a header that leaves room to tap on a phone (issue 12, rough edges)."""

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}


def boxes_overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("width_name", WIDTHS)
def test_reader_finds_their_way(demo_site, browser: Browser, artifacts_dir, width_name):
    width = WIDTHS[width_name]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(demo_site + "/")
    header = page.locator(".site-header")
    page.locator(".site-header").screenshot(path=artifacts_dir / f"header-{width_name}.png")

    # Every control of the header is whole, on screen, big enough to tap, and clear of its neighbours.
    controls = [
        header.get_by_role("link", name="Subscribe"),
        header.get_by_role("searchbox", name="Search the articles"),
        header.get_by_role("button", name="Search"),
    ]
    boxes = [control.bounding_box() for control in controls]
    for control, box in zip(controls, boxes):
        expect(control).to_be_visible()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
        assert box["height"] >= 24 and box["width"] >= 24, box
    for first in range(len(boxes)):
        for second in range(first + 1, len(boxes)):
            assert not boxes_overlap(boxes[first], boxes[second]), (boxes[first], boxes[second])
    nav_links = header.locator(".site-nav a").all()
    for link in nav_links:
        for box in boxes:
            assert not boxes_overlap(link.bounding_box(), box)

    # A section from the navigation is marked as the current page; an article in it marks it as the location.
    nav = page.get_by_role("navigation", name="Main")
    section_link = nav.get_by_role("link", name="Economy")
    section_link.click()
    expect(nav.get_by_role("link", name="Economy")).to_have_attribute("aria-current", "page")
    page.locator("article.card .card-title a").first.click()
    expect(nav.get_by_role("link", name="Economy")).to_have_attribute("aria-current", "true")
    page.screenshot(path=artifacts_dir / f"article-in-section-{width_name}.png")

    page.get_by_role("link", name="Subscribe").click()
    expect(page).to_have_url(demo_site + "/subscribe/")

    page.get_by_role("contentinfo").get_by_role("link", name="Authors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Authors")
    expect(page.locator(".directory-entry").first.locator(".directory-count")).to_contain_text("article")
    page.screenshot(path=artifacts_dir / f"authors-{width_name}.png", full_page=True)

    page.get_by_role("contentinfo").get_by_role("link", name="Topics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Topics")
    page.screenshot(path=artifacts_dir / f"topics-{width_name}.png", full_page=True)

    nav.get_by_role("link", name="Archive").click()
    expect(nav.get_by_role("link", name="Archive")).to_have_attribute("aria-current", "page")
    expect(page.locator(".archive-count").first).to_contain_text("article")
    page.screenshot(path=artifacts_dir / f"archive-{width_name}.png", full_page=True)
    context.close()
