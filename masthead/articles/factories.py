"""Test factories for the publication: snippets as plain model factories, pages added under their parents."""

import io
from datetime import timedelta

import factory
from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from masthead.articles.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    HomePage,
    SectionPage,
    SourceOutlet,
    Topic,
)


def png_file(name: str = "picture.png", size=(64, 48), colour="#336699") -> ImageFile:
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, format="PNG")
    buffer.seek(0)
    return ImageFile(buffer, name=name)


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Picture {n}")
    file = factory.LazyAttribute(lambda image: png_file(f"{image.title.lower().replace(' ', '-')}.png"))


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Writer Number{n}")
    slug = factory.Sequence(lambda n: f"writer-{n}")
    role = "Correspondent"
    bio = factory.LazyAttribute(lambda author: f"{author.name} writes about institutions and money.")
    photo = factory.SubFactory(ImageFactory)


class SourceOutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceOutlet

    name = factory.Sequence(lambda n: f"Policy Institute {n}")
    slug = factory.Sequence(lambda n: f"policy-institute-{n}")
    homepage = factory.LazyAttribute(lambda outlet: f"https://{outlet.slug}.example.org/")


def restore_wagtail_roots() -> None:
    """Put back the rows Wagtail's migrations create (root page, locale, root collection).

    A transactional test empties every table afterwards, and pytest-django's serialized rollback cannot restore
    them once Playwright's event loop runs in the thread: asgiref then hands Django a different connection
    object, one without the serialized copy.
    """
    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def site_home() -> HomePage:
    """The publication's home page, set up as the default site's root the first time it is asked for."""
    home = HomePage.objects.first()
    if home:
        return home
    restore_wagtail_roots()
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page").delete()
    home = Page.get_first_root_node().add_child(instance=HomePage(title="The Test Gazette", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"root_page": home, "hostname": "localhost", "port": 80}
    )
    return home


def make_section(title: str = "Analysis", slug: str = "analysis") -> SectionPage:
    home = site_home()
    existing = SectionPage.objects.child_of(home).filter(slug=slug).first()
    if existing:
        return existing
    section = home.add_child(instance=SectionPage(title=title, slug=slug))
    section.save_revision().publish()
    return section


def paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


_article_counter = iter(range(1, 10**9))


def make_article(
    *,
    section: SectionPage | None = None,
    title: str | None = None,
    standfirst: str = "What the figures say, and what they leave out.",
    body: list[dict] | None = None,
    authors: list[Author] | None = None,
    topics: list[Topic] | None = None,
    language: str = "en",
    published_at=None,
    source_outlet: SourceOutlet | None = None,
    original_url: str = "",
    lead_image=None,
    publish: bool = True,
) -> ArticlePage:
    """An article added under `section` (a default one when omitted) and published as an editor would."""
    number = next(_article_counter)
    section = section or make_section()
    title = title or f"Article number {number}"
    article = ArticlePage(
        title=title,
        slug=f"article-{number}",
        standfirst=standfirst,
        body=body if body is not None else [paragraph("The first paragraph of the argument.")],
        language=language,
        first_published_at=published_at or timezone.now() - timedelta(days=number),
        source_outlet=source_outlet,
        original_url=original_url,
        lead_image=lead_image,
        live=False,  # as in the admin: a new page is a draft until its revision is published
    )
    article.article_authors = [
        ArticleAuthor(author=author, sort_order=position)
        for position, author in enumerate(authors if authors is not None else [AuthorFactory()])
    ]
    article.topics = topics or []
    section.add_child(instance=article)
    if publish:
        article.save_revision().publish()
    return article
