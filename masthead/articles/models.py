"""The publication's pages (home, section, article) and the snippets they refer to (authors, outlets, topics)."""

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, OuterRef, Prefetch, Subquery, Window
from django.db.models.functions import Length, RowNumber, Substr
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks, hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from masthead.articles.blocks import ArticleBodyBlock, split_at_preview_cut
from masthead.articles.plain_pages import PlainPage  # noqa: F401 -- the app's models are found here
from masthead.core.holes import CSRF_HOLE
from masthead.core.pagination import paginate

# The hook through which the page layer adds what an article page shows one reader: fn(article, request, context).
ARTICLE_CONTEXT_HOOK = "masthead_article_context"

AUTHOR_PHOTO_SPEC = "fill-160x160"
LEAD_IMAGE_SPEC = "fill-1200x630"  # social cards and structured data: one size, in the original's format
CARD_IMAGE_SPEC = "fill-480x270"
LOGO_SPEC = "height-48"
# The responsive renditions (srcset, WebP) the templates ask for, written as in the templates' tags, so that
# listings and article pages prefetch exactly what they render (articles/includes/article_card.html,
# articles/article_page.html).
CARD_IMAGE_SRCSET = Filter.expand_spec("fill-{480x270,960x540} format-webp")
LEAD_IMAGE_SRCSET = Filter.expand_spec("fill-{640x336,1200x630} format-webp")

validate_web_url = URLValidator(
    schemes=["http", "https"], message="Enter a web address that starts with http:// or https://."
)


class WebURLFormField(forms.URLField):
    default_validators = [validate_web_url]
    default_error_messages = {"invalid": validate_web_url.message}


class WebURLField(models.URLField):
    """A URL that a reader's browser can open: http or https only (no javascript:, ftp:, mailto:)."""

    default_validators = [validate_web_url]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})


@register_setting(icon="site")
class PublicationSettings(BaseSiteSetting):
    name = models.CharField(max_length=100, default="masthead")
    tagline = models.CharField(max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    social_handle = models.CharField(max_length=50, blank=True, help_text="For Twitter/X cards, e.g. @dispatch")

    panels = [FieldPanel("name"), FieldPanel("tagline"), FieldPanel("logo"), FieldPanel("social_handle")]

    class Meta:
        verbose_name = "Publication"


@register_snippet
class Topic(index.Indexed, models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("articles:topic", kwargs={"slug": self.slug})


class AuthorLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(help_text="e.g. Website, Mastodon, ORCID")
    url = blocks.URLBlock(validators=[validate_web_url])


@register_snippet
class Author(index.Indexed, models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    role = models.CharField(max_length=120, blank=True, help_text="e.g. Economics editor")
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bio = models.TextField(blank=True, help_text="A few sentences, shown at the end of each article.")
    links = StreamField([("link", AuthorLinkBlock())], blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("links"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("articles:author", kwargs={"slug": self.slug})


@register_snippet
class SourceOutlet(index.Indexed, models.Model):
    """A publication whose pieces we republish with attribution (a think tank, another outlet)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    homepage = WebURLField()
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("homepage"), FieldPanel("logo")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class HomePage(Page):
    lead_article = models.ForeignKey(
        "articles.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The story at the top of the home page; the newest article when empty.",
    )

    content_panels = Page.content_panels + [FieldPanel("lead_article")]
    parent_page_types = ["wagtailcore.Page"]
    # The newsletters app's index of hand-written issues sits beside the sections (named, not imported).
    subpage_types = ["articles.SectionPage", "articles.PlainPage", "newsletters.NewsletterIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().public().descendant_of(self).for_listing()
        lead = self.lead_article if self.lead_article_id and self.lead_article.live else None
        latest = list(articles[:9])
        if lead is None and latest:
            lead = latest[0]
        context["lead"] = lead
        context["latest"] = [article for article in latest if lead is None or article.pk != lead.pk][:8]
        context["sections"] = SectionPage.objects.live().public().child_of(self).with_latest_articles(4)
        return context


class SectionQuerySet(PageQuerySet):
    def with_latest_articles(self, count: int) -> list["SectionPage"]:
        """The sections, each with `latest_articles` (its newest `count`), in a fixed number of queries."""
        sections = list(self)
        if not sections:
            return []
        parent_path = Substr("path", 1, sections[0].depth * Page.steplen)
        articles = (
            ArticlePage.objects.live()
            .public()
            .filter(depth=sections[0].depth + 1)
            .annotate(
                rank=Window(RowNumber(), partition_by=[parent_path], order_by=[F("first_published_at").desc()])
            )
            .filter(rank__lte=count)
            .for_listing()
        )
        by_path = {section.path: [] for section in sections}
        for article in articles:
            by_path.get(article.path[: -Page.steplen], []).append(article)
        for section in sections:
            section.latest_articles = by_path[section.path]
        return sections


class SectionPage(Page):
    intro = models.TextField(blank=True)

    objects = PageManager.from_queryset(SectionQuerySet)()

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["articles.HomePage"]
    subpage_types = ["articles.ArticlePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().public().child_of(self).for_listing()
        context["page_obj"] = paginate(request, articles)
        return context


class ArticleQuerySet(PageQuerySet):
    def for_listing(self):
        """Articles as lists show them (byline, section, card image) in a fixed number of queries."""
        image_model = get_image_model()
        rendition_model = image_model.get_rendition_model()
        parent_of_article = Page.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
        )
        return (
            self.select_related("source_outlet")
            .annotate(section_title=Subquery(parent_of_article.values("title")[:1]))
            # The reader discussion's visible-comment count, kept on its thread row (masthead.discussion).
            .annotate(comment_count=Subquery(
                apps.get_model("discussion", "Thread").objects.filter(page=OuterRef("pk")).values("comment_count")[:1]
            ))
            .prefetch_related(
                Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author")),
                Prefetch(
                    "lead_image",
                    queryset=image_model.objects.prefetch_related(
                        Prefetch(
                            "renditions",
                            queryset=rendition_model.objects.filter(filter_spec__in=CARD_IMAGE_SRCSET),
                            to_attr="prefetched_renditions",
                        )
                    ),
                ),
            )
            .order_by("-first_published_at", "-pk")
        )


class ArticleAuthor(Orderable):
    """An author in an article's byline; the order is the byline's order."""

    page = ParentalKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="article_credits")

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["page", "author"], name="unique_author_per_article")]


class AccessLevel(models.TextChoices):
    PUBLIC = "public", "Public: anyone"
    MEMBERS = "members", "Members: anyone signed in, free or paid"
    PAID = "paid", "Paid: members of any paid tier"
    TIERS = "tiers", "Specific tiers: members of the tiers chosen below"


class ArticlePage(Page):
    standfirst = models.TextField(help_text="One or two sentences under the title that say what the piece argues.")
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(ArticleBodyBlock())
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    topics = ParentalManyToManyField(Topic, blank=True, related_name="articles")

    source_outlet = models.ForeignKey(
        SourceOutlet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="republished_articles",
        help_text="For a republished piece: the outlet that first published it.",
    )
    original_url = WebURLField(blank=True, max_length=500, help_text="The piece's address on the source outlet.")
    original_published_at = models.DateField(null=True, blank=True, verbose_name="original publication date")
    republication_note = models.TextField(
        blank=True, help_text="The permission or licence under which we republish, shown to readers."
    )

    access_level = models.CharField(
        max_length=10,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
        help_text="Who may read past the preview when the gate is a paywall (Settings → Gate).",
    )
    allowed_tiers = ParentalManyToManyField(
        "membership.Tier", blank=True, related_name="articles", help_text="For 'Specific tiers' only."
    )
    preview_paragraphs = models.PositiveSmallIntegerField(
        default=3,
        help_text="Readers without access see this many paragraphs, unless a 'Preview cut' block is placed.",
    )

    objects = PageManager.from_queryset(ArticleQuerySet)()

    content_panels = Page.content_panels + [
        FieldPanel("standfirst"),
        InlinePanel("article_authors", heading="Authors, in byline order", label="Author", min_num=1),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        FieldPanel("topics"),
        FieldPanel("language"),
        FieldPanel("first_published_at", heading="First published"),
        MultiFieldPanel(
            [
                FieldPanel("source_outlet"),
                FieldPanel("original_url"),
                FieldPanel("original_published_at"),
                FieldPanel("republication_note"),
            ],
            heading="Republished piece",
            help_text="Fill these in only for a piece first published elsewhere.",
        ),
        MultiFieldPanel(
            [FieldPanel("access_level"), FieldPanel("allowed_tiers"), FieldPanel("preview_paragraphs")],
            heading="Who can read it",
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("standfirst"), index.SearchField("body")]
    parent_page_types = ["articles.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = "article"

    def clean(self):
        super().clean()
        if self.source_outlet_id and not self.original_url:
            raise ValidationError({"original_url": "A republished piece needs the address of the original."})
        if self.original_url and not self.source_outlet_id:
            raise ValidationError({"source_outlet": "Choose the outlet that first published this piece."})

    def get_sitemap_urls(self, request=None):
        # A republished piece's canonical address is the original's, so it stays out of our sitemap.
        return [] if self.is_republished else super().get_sitemap_urls(request)

    @property
    def is_republished(self) -> bool:
        return bool(self.source_outlet_id and self.original_url)

    @property
    def text_direction(self) -> str:
        from django.utils.translation import get_language_info

        return "rtl" if get_language_info(self.language)["bidi"] else "ltr"

    @cached_property
    def byline(self) -> list[Author]:
        return [credit.author for credit in self.article_authors.all()]

    @cached_property
    def allowed_tier_ids(self) -> frozenset[int]:
        return frozenset(tier.pk for tier in self.allowed_tiers.all())

    def split_body(self) -> tuple[list, list]:
        """The body as (preview, gated) blocks; the gate decides who gets the second list."""
        return split_at_preview_cut(self.body, self.preview_paragraphs)

    def split_raw_body(self) -> tuple[list[dict], list[dict]]:
        """The same split on the body's raw JSON, for text-only channels (search) that must not load images."""
        return split_at_preview_cut(self.body.raw_data, self.preview_paragraphs, type_of=lambda raw: raw["type"])

    @cached_property
    def section(self) -> Page:
        # Title and URL are all a reader sees of the section: the base Page row is enough.
        return self.get_parent()

    def get_context(self, request, *args, **kwargs):
        prefetch_article_page(self)
        context = super().get_context(request, *args, **kwargs)
        # Every form on the page gets its token per response (core.holes), so the page's HTML can be shared;
        # this also overrides the token Django's built-in context processor would hand to inclusion tags.
        context["csrf_token"] = CSRF_HOLE
        # What the page shows this reader (the gate's decision, the social and structured-data tags) is added by
        # the layer that assembles pages for readers (masthead.delivery), which the articles app does not know.
        for add_to_context in hooks.get_hooks(ARTICLE_CONTEXT_HOOK):
            add_to_context(self, request, context)
        return context


def _author_prefetch(lookup: str) -> Prefetch:
    image_model = get_image_model()
    return Prefetch(
        lookup,
        queryset=ArticleAuthor.objects.select_related("author__photo")
        .prefetch_related(
            Prefetch(
                "author__photo__renditions",
                queryset=image_model.get_rendition_model().objects.filter(filter_spec=AUTHOR_PHOTO_SPEC),
                to_attr="prefetched_renditions",
            )
        ),
    )


def prefetch_article_page(article: ArticlePage) -> None:
    """Load everything the article template reads, in a fixed number of queries whatever the byline's length."""
    image_model = get_image_model()
    rendition_model = image_model.get_rendition_model()
    models.prefetch_related_objects(
        [article],
        _author_prefetch("article_authors"),
        "topics",
        Prefetch(
            "lead_image",
            queryset=image_model.objects.prefetch_related(
                Prefetch(
                    "renditions",
                    queryset=rendition_model.objects.filter(
                        filter_spec__in=[LEAD_IMAGE_SPEC, *LEAD_IMAGE_SRCSET]
                    ),
                    to_attr="prefetched_renditions",
                )
            ),
        ),
        Prefetch("source_outlet", queryset=SourceOutlet.objects.select_related("logo")),
    )
