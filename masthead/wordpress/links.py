"""Links between the imported posts: an address on the old site that names another imported post becomes a
Wagtail page link in the rich text (`<a linktype="page" id="…">`), so it follows the page wherever it moves."""

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

# Paragraphs come out of nh3 with links as exactly this (href is the only attribute kept).
LINK = re.compile(r'<a href="([^"]*)">')


def host_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def post_key(url: str) -> str:
    """What identifies a post's address on its site: `?p=ID`, else the path without its trailing slash."""
    parts = urlsplit(url)
    post_id = parse_qs(parts.query).get("p")
    return f"?p={post_id[0]}" if post_id else parts.path.rstrip("/").lower()


def links_to(blocks: list[dict], host: str) -> bool:
    return any(
        block["type"] == "paragraph" and any(_on_site(href, host) for href in LINK.findall(block["value"]))
        for block in blocks
    )


def rewrite(blocks: list[dict], host: str, page_for: Callable[[str], int | None]) -> bool:
    """Turn links to imported posts into page links, in place; whether anything changed."""
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        href = html.unescape(match.group(1))
        page_id = page_for(post_key(href)) if _on_site(href, host) else None
        if page_id is None:
            return match.group(0)
        changed = True
        return f'<a linktype="page" id="{page_id}">'

    for block in blocks:
        if block["type"] == "paragraph":
            block["value"] = LINK.sub(replace, block["value"])
    return changed


def _on_site(href: str, host: str) -> bool:
    href = html.unescape(href)
    return bool(host) and host_of(href) == host or href.startswith("/") and not href.startswith("//")
