"""WordPress shortcodes in a post body: [caption], [embed] and [gallery] become HTML the block converter knows;
any other shortcode stays in the text as it was, and is counted for the import report."""

import html
import re
from collections import Counter

# WordPress's own grammar, simplified: [name attrs] or [name attrs /] or [name attrs]content[/name].
SHORTCODE = re.compile(
    r"\[(?P<name>[a-zA-Z][\w-]*)(?P<attrs>(?:\s[^\]]*?)?)\s*(?P<self>/)?\]"
    r"(?:(?P<content>.*?)\[/(?P=name)\])?",
    re.DOTALL,
)
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
IMAGE_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
LINKED_IMAGE = re.compile(r"<a\b[^>]*>\s*<img\b[^>]*>\s*</a>", re.IGNORECASE | re.DOTALL)
KNOWN = {"caption", "wp_caption", "embed", "gallery"}


def attributes(text: str) -> dict[str, str]:
    return {
        match.group(1).lower(): html.unescape(next(group for group in match.groups()[1:] if group is not None))
        for match in ATTRIBUTE.finditer(text)
    }


def expand(body: str, unknown: Counter) -> str:
    """The body with the known shortcodes as HTML; unknown ones are counted in `unknown` and left in place."""

    def replace(match: re.Match) -> str:
        name = match.group("name").lower()
        attrs = attributes(match.group("attrs") or "")
        content = match.group("content") or ""
        if name in ("caption", "wp_caption"):
            return _caption(attrs, content)
        if name == "embed":
            url = content.strip() or attrs.get("src", "")
            return f'<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">{html.escape(url)}</div></figure>'
        if name == "gallery":
            ids = [part.strip() for part in attrs.get("ids", attrs.get("include", "")).split(",") if part.strip()]
            figures = "".join(f'<figure data-attachment="{html.escape(part)}"></figure>' for part in ids if part.isdigit())
            return figures or "<figure data-gallery-of-post></figure>"
        unknown[name] += 1
        return match.group(0)

    return SHORTCODE.sub(replace, body)


def _caption(attrs: dict, content: str) -> str:
    image = LINKED_IMAGE.search(content) or IMAGE_TAG.search(content)
    if image is None:
        return content
    caption = attrs.get("caption") or (content[: image.start()] + content[image.end() :]).strip()
    image_tag = IMAGE_TAG.search(image.group(0)).group(0)
    return f"<figure>{image_tag}<figcaption>{caption}</figcaption></figure>"
