"""StreamField blocks of an article body: what an editor can place between the standfirst and the bio box."""

import html

import nh3
from django.utils.html import strip_tags
from django.utils.text import slugify
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.images.models import Filter

# Rendition specs used by the templates; prefetched together so a page's images cost one query.
# Responsive renditions (srcset, WebP), as articles/blocks/image.html asks for them.
BODY_IMAGE_SRCSET = Filter.expand_spec("width-{600,1200} format-webp")
RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "superscript", "subscript", "strikethrough"]
# The HTML those features write: what a paragraph block may hold when it comes from outside the editor.
PARAGRAPH_TAGS = frozenset({"b", "i", "a", "br", "sup", "sub", "s", "ol", "ul", "li"})


def clean_paragraph_html(fragment: str) -> str:
    """Inline HTML from elsewhere (an import, a feed) as a paragraph block keeps it: the editor's few tags,
    http(s)/mailto links only, sanitised by nh3."""
    return nh3.clean(
        fragment, tags=set(PARAGRAPH_TAGS), attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"},
        link_rel=None, strip_comments=True,
    ).strip()


class PrefetchingImageChooserBlock(ImageChooserBlock):
    """An image chooser that loads every image of a body, with its renditions, in two queries."""

    def bulk_to_python(self, values):
        images = self.model_class.objects.prefetch_renditions(*BODY_IMAGE_SRCSET).in_bulk(
            [value for value in values if value is not None]
        )
        return [images.get(value) for value in values]


class SectionHeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "articles/blocks/section_heading.html"
        label = "Section heading"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["anchor"] = slugify(value)
        return context


class BlockQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, help_text="Who said or wrote it, and where.")

    class Meta:
        icon = "openquote"
        template = "articles/blocks/block_quote.html"


class PullQuoteBlock(blocks.TextBlock):
    class Meta:
        icon = "pick"
        template = "articles/blocks/pull_quote.html"
        help_text = "A sentence from the article, shown large to draw the eye."


class CaptionedImageBlock(blocks.StructBlock):
    image = PrefetchingImageChooserBlock()
    caption = blocks.CharBlock(required=False)
    credit = blocks.CharBlock(required=False, help_text="Photographer, illustrator or agency.")
    alt_text = blocks.CharBlock(required=False, help_text="Describe the image for readers who cannot see it.")

    class Meta:
        icon = "image"
        template = "articles/blocks/image.html"


class PreviewCutBlock(blocks.StaticBlock):
    """Where the preview ends for readers the article's access level keeps out; renders nothing."""

    class Meta:
        icon = "cut"
        label = "Preview cut"
        admin_text = "Readers without access see everything above this line, then the invitation to subscribe."
        template = "articles/blocks/preview_cut.html"


PREVIEW_CUT = "preview_cut"


def split_at_preview_cut(stream, default_paragraphs: int, type_of=None) -> tuple[list, list]:
    """The body as (preview, gated) blocks: before the first preview cut, or after the first N paragraphs.

    Without a marker the preview never swallows the whole body: it keeps at most half the paragraphs, so a
    short piece still has a gated part. The markers themselves belong to neither part. `type_of` reads a
    block's type (StreamValue children by default; pass one for raw JSON blocks).
    """
    type_of = type_of or (lambda block: block.block_type)
    children = list(stream)
    for position, child in enumerate(children):
        if type_of(child) == PREVIEW_CUT:
            rest = [block for block in children[position + 1 :] if type_of(block) != PREVIEW_CUT]
            return children[:position], rest
    paragraphs = [position for position, child in enumerate(children) if type_of(child) == "paragraph"]
    keep = min(default_paragraphs, len(paragraphs) // 2)
    end = paragraphs[keep - 1] + 1 if keep else 0
    return children[:end], children[end:]


def raw_block_text(raw: dict) -> str:
    """The words a reader would read in one block of a body's raw JSON (no rendering, no queries)."""
    value = raw.get("value")
    if raw.get("type") == "paragraph":
        return html.unescape(strip_tags(value or ""))
    if isinstance(value, str) and raw.get("type") in ("section_heading", "pull_quote"):
        return value
    if isinstance(value, dict):
        parts = [value.get(key) or "" for key in ("quote", "attribution", "caption", "credit", "alt_text")]
        return " ".join(part for part in parts if isinstance(part, str) and part)
    return ""


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, template="articles/blocks/paragraph.html")
    section_heading = SectionHeadingBlock()
    block_quote = BlockQuoteBlock()
    pull_quote = PullQuoteBlock()
    image = CaptionedImageBlock()
    embed = EmbedBlock(help_text="A link to a video, post or chart that supports embedding.", icon="media")
    preview_cut = PreviewCutBlock()
