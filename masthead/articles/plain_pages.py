"""A plain page: a title and a body, for what is not an article (about, contact, a WordPress site's pages).

Plain pages sit under the home page or under each other, so an imported site keeps its pages' hierarchy.
"""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from masthead.articles.blocks import ArticleBodyBlock


class PlainPage(Page):
    body = StreamField(ArticleBodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["articles.HomePage", "articles.PlainPage"]
    subpage_types = ["articles.PlainPage"]
    template = "articles/plain_page.html"

    class Meta:
        verbose_name = "plain page"
