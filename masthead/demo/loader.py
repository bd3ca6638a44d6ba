"""Load the demo publication from masthead/demo/content into the database, idempotently.

Objects are matched by slug (images by title); anything already present is left as it is, so a second run
adds nothing and an editor's changes to demo pages survive.
"""

import hashlib
import io
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings as django_settings
from django.core.files.images import ImageFile
from django.db import transaction
from markdown_it import MarkdownIt
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site

from masthead.annotations.actions import do_create_anchor, locate_passage_text
from masthead.annotations.anchoring import AnchoringError
from masthead.articles.models import (
    AccessLevel,
    ArticleAuthor,
    ArticlePage,
    Author,
    HomePage,
    PublicationSettings,
    SectionPage,
    SourceOutlet,
    Topic,
)
from masthead.core.sites import base_address
from masthead.demo import images
from masthead.discussion.actions.comments import do_post_comment
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.actions.votes import do_vote
from masthead.discussion.models import Comment, CommentStatus
from masthead.membership.actions import create_member, member_for_email
from masthead.membership.models import Tier
from masthead.newsletters.models import Audience, Cadence, Newsletter

CONTENT_DIR = Path(__file__).resolve().parent / "content"
_inline = MarkdownIt("zero").enable(["emphasis", "link"])


class DemoContentError(Exception):
    """A content file is malformed or refers to something that does not exist."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def note(self, created: bool, label: str) -> None:
        (self.created if created else self.kept).append(label)


def parse_chart(chunk: str) -> tuple[str, str, list[tuple[str, float]], str]:
    """`[chart: caption | credit | label = value; label = value | unit]` as (caption, credit, bars, unit)."""
    caption, credit, data, unit = ([*map(str.strip, chunk[len("[chart:") : -1].split("|")), "", "", ""])[:4]
    bars = []
    for pair in filter(None, map(str.strip, data.split(";"))):
        label, _, value = pair.rpartition("=")
        bars.append((label.strip(), float(value)))
    return caption, credit, bars, unit


def chart_alt_text(bars: list[tuple[str, float]], unit: str) -> str:
    return "Bar chart. " + "; ".join(f"{label}: {value:g}{unit}" for label, value in bars) + "."


def parse_body(text: str, image_for, chart_for=None) -> list[dict]:
    """Turn the demo mark-up (see content/README.md) into StreamField data."""
    stream = []
    for chunk in (part.strip() for part in text.strip().split("\n\n")):
        if not chunk:
            continue
        if chunk.startswith("## "):
            stream.append({"type": "section_heading", "value": chunk[3:].strip()})
        elif chunk.startswith("!! "):
            stream.append({"type": "pull_quote", "value": chunk[3:].strip()})
        elif chunk.startswith(">"):
            lines = [line.lstrip(">").strip() for line in chunk.splitlines()]
            attribution = ""
            if lines and lines[-1].startswith("--"):
                attribution = lines.pop().lstrip("-").strip()
            stream.append(
                {"type": "block_quote", "value": {"quote": "\n".join(lines), "attribution": attribution}}
            )
        elif chunk.startswith("[chart:") and chunk.endswith("]") and chart_for is not None:
            caption, credit, bars, unit = parse_chart(chunk)
            stream.append(
                {
                    "type": "image",
                    "value": {
                        "image": chart_for(caption, bars, unit).pk,
                        "caption": caption,
                        "credit": credit,
                        # The chart is drawn from the same figures, so what is read out is what is shown.
                        "alt_text": chart_alt_text(bars, unit),
                    },
                }
            )
        elif chunk.startswith("[image:") and chunk.endswith("]"):
            key, caption, credit = ([*map(str.strip, chunk[len("[image:") : -1].split("|")), "", ""])[:3]
            stream.append(
                {
                    "type": "image",
                    "value": {"image": image_for(key).pk, "caption": caption, "credit": credit, "alt_text": ""},
                }
            )
        else:
            paragraph = " ".join(line.strip() for line in chunk.splitlines())
            stream.append({"type": "paragraph", "value": f"<p>{_inline.renderInline(paragraph)}</p>"})
    return stream


class DemoLoader:
    def __init__(self, content_dir: Path = CONTENT_DIR):
        self.content_dir = content_dir
        self.report = LoadReport()
        self.image_model = get_image_model()

    def read(self, path: Path) -> dict:
        try:
            with path.open("rb") as file:
                return tomllib.load(file)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise DemoContentError(f"{path.name}: {error}") from error

    @transaction.atomic
    def load(self) -> LoadReport:
        publication = self.read(self.content_dir / "publication.toml")
        self.collection = self._collection()
        home = self._home(publication["outlet"])
        sections = {entry["slug"]: self._section(home, entry) for entry in publication["sections"]}
        topics = {entry["slug"]: self._topic(entry) for entry in publication["topics"]}
        authors = {entry["slug"]: self._author(entry) for entry in publication["authors"]}
        outlets = {entry["slug"]: self._outlet(entry) for entry in publication["source_outlets"]}
        for entry in publication.get("tiers", []):
            self._tier(entry)
        articles = {}
        for path in sorted((self.content_dir / "articles").glob("*.toml")):
            article = self._article(path.name, self.read(path), sections, topics, authors, outlets)
            articles[article.slug] = article
        discussion = self.content_dir / "discussion.toml"
        if discussion.exists():
            self._discussion(self.read(discussion), articles)
        # After the articles: a newsletter that existed while they were published would mail the recent ones.
        for entry in publication.get("newsletters", []):
            self._newsletter(entry)
        return self.report

    def _collection(self) -> Collection:
        existing = Collection.objects.filter(name="Demo publication").first()
        if existing:
            return existing
        return Collection.get_first_root_node().add_child(name="Demo publication")

    def _image(self, title: str, filename: str, draw):
        existing = self.image_model.objects.filter(title=title, collection=self.collection).first()
        if existing:
            return existing
        image = self.image_model(title=title, collection=self.collection)
        image.file = ImageFile(_named_bytes(draw(), filename), name=filename)
        image.save()
        self.report.note(True, f"image {title}")
        return image

    def illustration(self, key: str):
        return self._image(f"Illustration: {key}", f"demo-{key}.png", lambda: images.illustration(key))

    def chart(self, caption: str, bars: list[tuple[str, float]], unit: str):
        digest = hashlib.sha256(repr((caption, bars, unit)).encode()).hexdigest()[:10]
        return self._image(
            f"Chart {digest}: {caption[:200]}", f"demo-chart-{digest}.png", lambda: images.bar_chart(bars, unit)
        )

    def _home(self, outlet: dict) -> HomePage:
        home = HomePage.objects.first()
        created = home is None
        if created:
            # Wagtail's own "Welcome" placeholder (a plain Page) makes way for the publication's home page.
            Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page").delete()
            root = Page.get_first_root_node()
            home = root.add_child(instance=HomePage(title=outlet["name"], slug="home"))
            home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        if site.root_page_id != home.pk:
            site.root_page = home
            # The address the site is served at (make run derives it from HOST and PORT).
            site.hostname, site.port = base_address(django_settings.MASTHEAD_BASE_URL)
            site.site_name = outlet["name"]
            site.save()
        settings = PublicationSettings.for_site(site)
        if settings.name != outlet["name"]:
            settings.name = outlet["name"]
            settings.tagline = outlet.get("tagline", "")
            settings.save()
        self.report.note(created, f"home page {home.title}")
        return home

    def _section(self, home: HomePage, entry: dict) -> SectionPage:
        section = SectionPage.objects.child_of(home).filter(slug=entry["slug"]).first()
        created = section is None
        if created:
            section = home.add_child(
                instance=SectionPage(title=entry["title"], slug=entry["slug"], intro=entry.get("intro", ""))
            )
            section.save_revision().publish()
        self.report.note(created, f"section {entry['slug']}")
        return section

    def _topic(self, entry: dict) -> Topic:
        topic, created = Topic.objects.get_or_create(slug=entry["slug"], defaults={"name": entry["name"]})
        self.report.note(created, f"topic {entry['slug']}")
        return topic

    def _author(self, entry: dict) -> Author:
        author = Author.objects.filter(slug=entry["slug"]).first()
        created = author is None
        if created:
            author = Author.objects.create(
                slug=entry["slug"],
                name=entry["name"],
                role=entry.get("role", ""),
                bio=entry.get("bio", ""),
                photo=self._image(
                    f"Portrait: {entry['name']}", f"portrait-{entry['slug']}.png",
                    lambda: images.portrait(entry["name"]),
                ),
                links=[{"type": "link", "value": {"label": "Website", "url": url}} for url in entry.get("links", [])],
            )
        self.report.note(created, f"author {entry['slug']}")
        return author

    def _outlet(self, entry: dict) -> SourceOutlet:
        outlet = SourceOutlet.objects.filter(slug=entry["slug"]).first()
        created = outlet is None
        if created:
            outlet = SourceOutlet(slug=entry["slug"], name=entry["name"], homepage=entry["homepage"])
            outlet.logo = self._image(
                f"Logo: {entry['name']}", f"logo-{entry['slug']}.png",
                lambda: images.wordmark(entry["name"], entry.get("colour", "#333333")),
            )
            outlet.full_clean()
            outlet.save()
        self.report.note(created, f"source outlet {entry['slug']}")
        return outlet

    def _article(self, filename, entry, sections, topics, authors, outlets) -> None:
        def lookup(table: dict, slug: str, kind: str):
            try:
                return table[slug]
            except KeyError:
                raise DemoContentError(f"{filename}: unknown {kind} {slug!r}") from None

        section = lookup(sections, entry["section"], "section")
        existing = ArticlePage.objects.child_of(section).filter(slug=entry["slug"]).first()
        if existing is not None:
            self.report.note(False, f"article {entry['slug']}")
            return existing
        access = entry.get("access", AccessLevel.PUBLIC)
        if access not in (AccessLevel.PUBLIC, AccessLevel.MEMBERS, AccessLevel.PAID):
            raise DemoContentError(f"{filename}: access must be public, members or paid, not {access!r}")
        published_at = datetime.fromisoformat(entry["first_published"])
        article = ArticlePage(
            title=entry["title"],
            slug=entry["slug"],
            standfirst=entry["standfirst"],
            language=entry.get("language", "en"),
            body=parse_body(entry["body"], self.illustration, self.chart),
            first_published_at=published_at,
            access_level=access,
        )
        if entry.get("image"):
            article.lead_image = self.illustration(entry["image"])
        republished = entry.get("republished")
        if republished:
            article.source_outlet = lookup(outlets, republished["source"], "source outlet")
            article.original_url = republished["original_url"]
            article.original_published_at = date.fromisoformat(str(republished["original_published"]))
            article.republication_note = republished.get("licence", "")
        article.article_authors = [
            ArticleAuthor(author=lookup(authors, slug, "author"), sort_order=position)
            for position, slug in enumerate(entry["authors"])
        ]
        article.topics = [lookup(topics, slug, "topic") for slug in entry.get("topics", [])]
        section.add_child(instance=article)
        article.save_revision().publish()
        # Publishing stamps "now" as the last publication; the demo's pieces were last touched when first out.
        ArticlePage.objects.filter(pk=article.pk).update(last_published_at=published_at)
        self.report.note(True, f"article {entry['slug']}")
        return article

    def _tier(self, entry: dict) -> Tier:
        if Tier.objects.filter(slug=entry["slug"]).exists():
            self.report.note(False, f"tier {entry['slug']}")
            return Tier.objects.get(slug=entry["slug"])
        try:
            prices = {key: Decimal(entry[key]) for key in ("monthly_price", "yearly_price")}
        except (InvalidOperation, TypeError) as error:
            raise DemoContentError(f"publication.toml: tier {entry['slug']!r} has a malformed price") from error
        tier = Tier.objects.create(
            slug=entry["slug"],
            name=entry["name"],
            description=entry.get("description", ""),
            benefits=entry.get("benefits", "").strip(),
            currency=entry.get("currency", "EUR"),
            sort_order=Tier.objects.count(),
            **prices,
        )
        self.report.note(True, f"tier {entry['slug']}")
        return tier

    def _newsletter(self, entry: dict) -> Newsletter:
        existing = Newsletter.objects.filter(slug=entry["slug"]).first()
        if existing:
            self.report.note(False, f"newsletter {entry['slug']}")
            return existing
        tiers = list(Tier.objects.filter(slug__in=entry.get("tiers", [])))
        if len(tiers) != len(entry.get("tiers", [])):
            raise DemoContentError(f"publication.toml: newsletter {entry['slug']!r} names an unknown tier")
        newsletter = Newsletter(
            slug=entry["slug"],
            name=entry["name"],
            description=entry.get("description", "").strip(),
            audience=entry.get("audience", Audience.EVERYONE),
            cadence=entry.get("cadence", Cadence.EACH_ARTICLE),
            default_on_sign_up=entry.get("default_on_sign_up", False),
            send_weekday=entry.get("send_weekday"),
            send_time=entry.get("send_time"),
        )
        newsletter.full_clean(exclude=["tiers"])
        newsletter.save()
        newsletter.tiers.set(tiers)
        self.report.note(True, f"newsletter {entry['slug']}")
        return newsletter

    def _discussion(self, content: dict, articles: dict) -> None:
        """The demo readers, their comments and their votes; a thread that already has comments is left alone."""
        readers = {entry["key"]: self._reader(entry) for entry in content.get("readers", [])}
        posted: dict[str, Comment] = {}
        settled: dict[int, bool] = {}
        for entry in content.get("comments", []):
            where = f"discussion.toml: comment {entry.get('key')!r}"
            article = articles.get(entry["article"])
            if article is None:
                raise DemoContentError(f"{where}: unknown article {entry['article']!r}")
            if article.pk not in settled:
                settled[article.pk] = Comment.objects.filter(thread__page=article).exists()
                if settled[article.pk]:
                    self.report.note(False, f"discussion on {article.slug}")
            if settled[article.pk]:
                continue
            author = readers.get(entry["by"])
            if author is None:
                raise DemoContentError(f"{where}: unknown reader {entry['by']!r}")
            parent = None
            if entry.get("reply_to"):
                parent = posted.get(entry["reply_to"])
                if parent is None or parent.thread.page_id != article.pk:
                    raise DemoContentError(f"{where}: reply_to {entry['reply_to']!r} is not an earlier comment here")
            body = entry["body"].strip()
            comment = do_post_comment(
                thread=parent.thread if parent else thread_for(article),
                parent=parent,
                author=author,
                guest_name="",
                guest_email="",
                body=body,
                status=CommentStatus.APPROVED,
                hold_reasons=[],
                ip_hash="",
                created_at=article.first_published_at
                + timedelta(days=entry.get("days", 0), hours=entry.get("hours", 1)),
                announce=False,
            )
            posted[entry["key"]] = comment
            if entry.get("passage"):
                self._anchor(comment, article, entry["passage"], where=where, is_reply=parent is not None)
            others = [reader for key, reader in readers.items() if key != entry["by"]]
            up, down = entry.get("up", 0), entry.get("down", 0)
            if up + down > len(others):
                raise DemoContentError(f"{where}: {up + down} votes but only {len(others)} other readers")
            for voter, value in zip(others, [1] * up + [-1] * down):
                do_vote(comment=comment, voter=voter, value=value)
            self.report.note(True, f"comment {entry['key']} on {article.slug}")

    def _anchor(self, comment, article, words: str, *, where: str, is_reply: bool) -> None:
        """Make the comment an inline comment on `words` of the article (highlighted in its text)."""
        if is_reply:
            raise DemoContentError(f"{where}: only a top-level comment can be about a passage")
        try:
            block_id, selectors = locate_passage_text(article, words)
        except AnchoringError as error:
            raise DemoContentError(f"{where}: passage {words!r}: {error}") from error
        do_create_anchor(comment=comment, article=article, block_id=block_id, selectors=selectors)

    def _reader(self, entry: dict):
        member = member_for_email(entry["email"]) or create_member(email=entry["email"], display_name=entry["name"])
        if member is None:
            raise DemoContentError(f"discussion.toml: {entry['email']} belongs to a staff account")
        return member.user


def _named_bytes(data: bytes, name: str):
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def load_demo(content_dir: Path = CONTENT_DIR) -> LoadReport:
    return DemoLoader(content_dir).load()


def database_is_empty() -> bool:
    """True when no publication has been set up yet (no home page and no articles)."""
    return not HomePage.objects.exists() and not ArticlePage.objects.exists()
