"""A feed item's HTML as the article body's StreamField blocks, sanitised with nh3 to what the editor allows.

Paragraphs, lists and loose text become rich-text paragraphs (bold, italic, links, lists, super/subscript,
strikethrough: the article editor's features), headings become section headings, quotes block quotes. Scripts,
styles and their content go; so does every attribute but a link's http(s)/mailto address. Images are not
copied from the outlet's server: they are counted, so the check's result can say how many were left out.
"""

import html
import re
from dataclasses import dataclass, field

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag

from masthead.articles.blocks import PARAGRAPH_TAGS, clean_paragraph_html

RENAMES = {"strong": "b", "em": "i", "del": "s", "strike": "s"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
CONTAINERS = {"div", "section", "article", "figure", "header", "footer", "aside", "main"}
TEXT_BLOCKS = {"p", "figcaption", "pre", "dd", "dt"}
# What survives the first pass: the structure we turn into blocks, and the inline tags of a paragraph.
STRUCTURE_TAGS = set(PARAGRAPH_TAGS) | set(RENAMES) | HEADINGS | CONTAINERS | TEXT_BLOCKS | {"blockquote", "dl"}
WHITESPACE = re.compile(r"\s+")


@dataclass
class Body:
    blocks: list[dict] = field(default_factory=list)
    images_left_out: int = 0


def html_to_blocks(fragment: str) -> Body:
    result = Body(images_left_out=len(BeautifulSoup(fragment or "", "html.parser").find_all("img")))
    cleaned = nh3.clean(
        fragment or "", tags=STRUCTURE_TAGS, attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"}, link_rel=None, strip_comments=True,
    )
    soup = BeautifulSoup(cleaned, "html.parser")
    for old, new in RENAMES.items():
        for tag in soup.find_all(old):
            tag.name = new
    _Walker(result.blocks).walk(soup)
    return result


def _text(tag: Tag) -> str:
    return WHITESPACE.sub(" ", tag.get_text(" ")).strip()


class _Walker:
    def __init__(self, blocks: list[dict]):
        self.blocks = blocks
        self.inline: list[str] = []

    def walk(self, parent) -> None:
        for node in list(parent.children):
            if isinstance(node, Tag) and node.name in PARAGRAPH_TAGS - {"ul", "ol", "li"}:
                self.inline.append(str(node))
            elif isinstance(node, Tag):
                self.flush()
                self.block(node)
            elif isinstance(node, NavigableString):
                self.inline.append(html.escape(str(node), quote=False))
        self.flush()

    def flush(self) -> None:
        run, self.inline = "".join(self.inline), []
        self.paragraph(run)

    def paragraph(self, fragment: str) -> None:
        cleaned = clean_paragraph_html(fragment)
        if cleaned and html.unescape(re.sub(r"<[^>]+>", "", cleaned)).strip():
            self.blocks.append({"type": "paragraph", "value": f"<p>{cleaned}</p>"})

    def block(self, tag: Tag) -> None:
        if tag.name in CONTAINERS or tag.name == "dl":
            self.walk(tag)
        elif tag.name in TEXT_BLOCKS:
            self.paragraph(tag.decode_contents())
        elif tag.name in HEADINGS:
            if _text(tag):
                self.blocks.append({"type": "section_heading", "value": _text(tag)[:255]})
        elif tag.name == "blockquote":
            if _text(tag):
                self.blocks.append({"type": "block_quote", "value": {"quote": _text(tag), "attribution": ""}})
        elif tag.name in ("ul", "ol"):
            cleaned = clean_paragraph_html(str(tag))
            if _text(tag):
                self.blocks.append({"type": "paragraph", "value": cleaned})
        else:  # a stray <li>, say: its words are kept
            self.paragraph(tag.decode_contents())
