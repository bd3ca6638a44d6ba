"""Comment text: a small Markdown subset rendered with markdown-it-py, then sanitised with nh3 whatever it produced."""

import re

import nh3
from markdown_it import MarkdownIt

# The subset readers get: paragraphs, emphasis, links, quotes, code and lists. No raw HTML, images, tables or
# headings: a comment is a reply, not a page.
_markdown = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "link", "blockquote", "backticks", "code", "fence", "list", "newline", "escape", "entity", "autolink"]
)

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

MAX_NESTING = 8
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_WEB_ADDRESS = re.compile(r"\bhttps?://", re.IGNORECASE)


class MalformedMarkdown(ValueError):
    """Text that cannot be a comment as written; the message says what to change."""


def check_markdown(text: str) -> None:
    """Refuse text that would render as something other than what the reader meant."""
    if _CONTROL_CHARACTERS.search(text):
        raise MalformedMarkdown("The comment contains control characters; remove them and post again.")
    if text.count("```") % 2:
        raise MalformedMarkdown("A code block opened with ``` is never closed; add a closing ``` line.")
    deepest = 0
    for line in text.splitlines():
        markers = re.match(r"^(?:\s*(?:>|[-*+]\s|\d{1,9}[.)]\s))*", line).group(0)
        deepest = max(deepest, len(re.findall(r">|[-*+]\s|\d{1,9}[.)]\s", markers)))
    if deepest > MAX_NESTING:
        raise MalformedMarkdown(
            f"Quotes or lists are nested {deepest} levels deep; comments allow at most {MAX_NESTING}."
        )


def render_comment(text: str) -> str:
    """Safe HTML for a comment's Markdown. The sanitiser runs last, so nothing the parser emits escapes it."""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def count_links(text: str) -> int:
    """Web addresses in the text, linked or bare: spam counts either way."""
    return len(_WEB_ADDRESS.findall(text))


def quote_markdown(author_name: str, text: str) -> str:
    """A passage of another comment as a Markdown quote, to start a reply with."""
    lines = text.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"{author_name} wrote:\n\n{quoted}\n\n"
