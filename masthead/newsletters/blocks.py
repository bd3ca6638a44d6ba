"""StreamField blocks of a hand-written newsletter issue: simpler than an article's (no preview cut, no embeds),
since an issue goes out whole to the newsletter's subscribers."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

ISSUE_RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class IssueImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False)
    alt_text = blocks.CharBlock(required=False, help_text="Describe the image for readers who cannot see it.")

    class Meta:
        icon = "image"
        template = "newsletters/blocks/image.html"


class IssueBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(icon="title", template="newsletters/blocks/heading.html")
    paragraph = blocks.RichTextBlock(features=ISSUE_RICH_TEXT_FEATURES)
    quote = blocks.BlockQuoteBlock()
    image = IssueImageBlock()
