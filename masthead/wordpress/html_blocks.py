"""A WordPress post body (classic editor HTML or Gutenberg blocks) as the article body's StreamField blocks.

Paragraphs and lists become rich-text paragraphs (sanitised with nh3 to the tags the article editor allows),
headings become section headings, quotes block quotes or pull quotes, figures and images captioned images (when
the image can be found), embeds embeds. Gutenberg's block comments are dropped: the HTML between them says the
same. Layout wrappers (groups, columns, covers, divs) are opened and their content read in order.
"""

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from masthead.articles.blocks import clean_paragraph_html
from masthead.wordpress import shortcodes

RENAMES = {"strong": "b", "em": "i", "del": "s", "strike": "s"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
CONTAINERS = {"div", "section", "article", "main", "header", "footer", "aside", "center", "details", "body"}
DROPPED = {"script", "style", "form", "input", "button", "select", "textarea", "noscript", "hr", "iframe",
           "object", "embed", "video", "audio", "svg", "template", "nav"}
BLOCK_LEVEL = HEADINGS | CONTAINERS | DROPPED | {"p", "blockquote", "ul", "ol", "figure", "pre", "table", "dl",
                                                   "img"}
WEB_URL = re.compile(r"^https?://\S+$")
BLANK_LINE = re.compile(r"\n\s*\n")


@dataclass
class Conversion:
    blocks: list[dict] = field(default_factory=list)
    unknown_shortcodes: Counter = field(default_factory=Counter)
    missing_images: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


ImageFinder = Callable[[str], int | None]  # an image's address (or "attachment:ID") -> Wagtail image id


def convert(body: str, *, find_image: ImageFinder = lambda address: None) -> Conversion:
    result = Conversion()
    expanded = shortcodes.expand(body.replace("\r\n", "\n").replace("\r", "\n"), result.unknown_shortcodes)
    soup = BeautifulSoup(expanded, "html.parser")
    for node in soup.find_all(string=lambda text: isinstance(text, Comment)):
        node.extract()
    for tag in soup.find_all(list(DROPPED - {"iframe", "embed", "video", "audio", "object", "hr"})):
        tag.decompose()
    _Walker(result, find_image).walk(soup)
    return result


def _text(tag) -> str:
    return re.sub(r"\s+", " ", tag.get_text(" ") if isinstance(tag, Tag) else str(tag)).strip()


class _Walker:
    def __init__(self, result: Conversion, find_image: ImageFinder):
        self.result, self.find_image = result, find_image
        self.inline: list[str] = []

    def add(self, block_type: str, value) -> None:
        self.result.blocks.append({"type": block_type, "value": value})

    def walk(self, parent) -> None:
        for node in list(parent.children):
            if isinstance(node, Tag) and node.name in BLOCK_LEVEL:
                self.flush()
                self.block(node)
            elif isinstance(node, Tag):
                for old, new in RENAMES.items():
                    for tag in ([node] if node.name == old else []) + node.find_all(old):
                        tag.name = new
                self.inline.append(str(node))
            elif isinstance(node, NavigableString):
                self.inline.append(html.escape(str(node), quote=False))
        self.flush()

    def flush(self) -> None:
        """Loose text and inline tags: paragraphs split at blank lines, as WordPress's autop would."""
        run, self.inline = "".join(self.inline), []
        for piece in BLANK_LINE.split(run):
            piece = piece.strip()
            if WEB_URL.match(html.unescape(piece)):  # a URL alone on its line is an auto-embed
                self.add("embed", html.unescape(piece))
                continue
            cleaned = clean_paragraph_html(piece.replace("\n", "<br>"))
            if cleaned and _visible(cleaned):
                self.add("paragraph", f"<p>{cleaned}</p>")

    def block(self, tag: Tag) -> None:
        name = tag.name
        classes = set(tag.get("class") or [])
        if name in CONTAINERS:
            self.walk(tag)
        elif name == "p":
            images = tag.find_all("img")
            if images and not _text(tag):
                for image in images:
                    self.image(image, caption="")
            else:
                self.inline.append(tag.decode_contents())
                self.flush()
        elif name in HEADINGS:
            if _text(tag):
                self.add("section_heading", _text(tag)[:255])
        elif name == "blockquote":
            self.quote(tag, pull="wp-block-pullquote" in classes)
        elif name in ("ul", "ol"):
            for old, new in RENAMES.items():
                for inner in tag.find_all(old):
                    inner.name = new
            cleaned = clean_paragraph_html(str(tag))
            if _visible(cleaned):
                self.add("paragraph", cleaned)
        elif name == "figure":
            self.figure(tag, classes)
        elif name == "img":
            self.image(tag, caption="")
        elif name == "iframe" or name == "embed":
            self.embed(tag.get("src", ""))
        elif name in ("pre", "table", "dl"):
            self.flattened(tag)
        elif name in ("video", "audio", "object"):
            source = tag.get("src") or (tag.find("source").get("src", "") if tag.find("source") else "")
            self.result.warnings.append(f"A <{name}> was left out ({source or 'no source'}).")

    def quote(self, tag: Tag, *, pull: bool) -> None:
        cite = tag.find("cite")
        attribution = _text(cite) if cite else ""
        if cite:
            cite.extract()
        text = "\n\n".join(_text(p) for p in tag.find_all("p")) or _text(tag)
        if not text:
            return
        if pull:
            self.add("pull_quote", text)
        else:
            self.add("block_quote", {"quote": text, "attribution": attribution[:255]})

    def figure(self, tag: Tag, classes: set[str]) -> None:
        if tag.get("data-attachment"):
            self.image(None, caption="", address=f"attachment:{tag['data-attachment']}")
            return
        if tag.has_attr("data-gallery-of-post"):
            self.result.warnings.append("A [gallery] of the post's own attachments was left out.")
            return
        if "wp-block-embed" in classes or any(c.startswith("wp-block-embed") for c in classes):
            self.embed(_text(tag.find(class_="wp-block-embed__wrapper") or tag).split(" ")[0])
            return
        if "wp-block-pullquote" in classes and tag.find("blockquote"):
            self.quote(tag.find("blockquote"), pull=True)
            return
        caption_tag = tag.find("figcaption")
        caption = _text(caption_tag) if caption_tag else ""
        images = tag.find_all("img")
        if images:
            for position, image in enumerate(images):
                self.image(image, caption=caption if position == len(images) - 1 else "")
            return
        if caption_tag:
            caption_tag.extract()
        self.walk(tag)

    def image(self, tag: Tag | None, *, caption: str, address: str = "") -> None:
        address = address or (tag.get("src", "") if tag else "")
        image_id = self.find_image(address) if address else None
        if image_id is None:
            self.result.missing_images.append(address or "(an image without an address)")
            return
        self.add("image", {
            "image": image_id, "caption": caption[:255], "credit": "",
            "alt_text": (tag.get("alt", "") if tag else "")[:255],
        })

    def embed(self, url: str) -> None:
        url = html.unescape(url.strip())
        if WEB_URL.match(url):
            self.add("embed", url)
        else:
            self.result.warnings.append(f"An embed without a web address was left out ({url[:80]!r}).")

    def flattened(self, tag: Tag) -> None:
        if tag.name == "table":
            lines = [" | ".join(_text(cell) for cell in row.find_all(["td", "th"])) for row in tag.find_all("tr")]
            self.result.warnings.append("A table became plain lines of text.")
        else:
            lines = tag.get_text().strip("\n").split("\n")
        text = "<br>".join(html.escape(line, quote=False) for line in lines if line.strip())
        if text:
            self.add("paragraph", f"<p>{clean_paragraph_html(text)}</p>")


def _visible(fragment: str) -> bool:
    return bool(re.sub(r"<[^>]+>|&nbsp;|\s", "", fragment))
