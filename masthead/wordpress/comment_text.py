"""A WordPress comment's HTML as the small Markdown the discussion stores (links, emphasis, quotes, paragraphs).

The discussion renders and sanitises the Markdown itself (discussion.markup), so this only keeps the meaning of
the few tags commenters use and drops the rest to their text.
"""

import re

from bs4 import BeautifulSoup, NavigableString, Tag

WEB_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def comment_markdown(content: str) -> str:
    soup = BeautifulSoup(content.replace("\r\n", "\n"), "html.parser")
    text = _children(soup)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _children(parent) -> str:
    return "".join(_node(node) for node in parent.children)


def _node(node) -> str:
    if isinstance(node, NavigableString):
        return "" if node.__class__.__name__ in ("Comment", "Doctype", "Declaration") else str(node)
    if not isinstance(node, Tag) or node.name in ("script", "style"):
        return ""
    inner = _children(node)
    name = node.name
    if name == "a":
        href = node.get("href", "")
        return f"[{inner.strip() or href}]({href})" if WEB_URL.match(href) else inner
    if name in ("b", "strong") and inner.strip():
        return f"**{inner.strip()}**"
    if name in ("i", "em") and inner.strip():
        return f"*{inner.strip()}*"
    if name == "br":
        return "\n"
    if name == "blockquote":
        quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in inner.strip().splitlines())
        return f"\n\n{quoted}\n\n"
    if name == "li":
        return f"\n- {inner.strip()}"
    if name in ("p", "div", "ul", "ol", "pre"):
        return f"\n\n{inner.strip()}\n\n"
    return inner
