"""StreamField blocks of an article body: what an editor can place between the standfirst and the bio box."""

from django.utils.text import slugify
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

# Rendition specs used by the templates; prefetched together so a page's images cost one query.
BODY_IMAGE_SPEC = "width-1200"
RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "superscript", "subscript", "strikethrough"]


class PrefetchingImageChooserBlock(ImageChooserBlock):
    """An image chooser that loads every image of a body, with its renditions, in two queries."""

    def bulk_to_python(self, values):
        images = self.model_class.objects.prefetch_renditions(BODY_IMAGE_SPEC).in_bulk(
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


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, template="articles/blocks/paragraph.html")
    section_heading = SectionHeadingBlock()
    block_quote = BlockQuoteBlock()
    pull_quote = PullQuoteBlock()
    image = CaptionedImageBlock()
    embed = EmbedBlock(help_text="A link to a video, post or chart that supports embedding.", icon="media")
