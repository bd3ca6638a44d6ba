"""The WordPress import's engine: turns the export's records into authors, sections, topics, articles and
comments. Only `actions.do_import_wordpress` runs it, inside its one transaction.

Every object made is remembered in `ImportedObject` under the WordPress site's address and id, and looked up
there first: a second run of the same export makes nothing twice (new comments on old posts are still added).
"""

import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from masthead.articles.models import ArticleAuthor, ArticlePage, HomePage
from masthead.wordpress import feedback, html_blocks, links, media, plain_pages, wxr
from masthead.wordpress.models import ImportedKind, ImportedObject, ImportRun
from masthead.wordpress.people_and_places import PeopleAndPlacesMixin
from masthead.wordpress.redirects import Redirects
from masthead.wordpress.thread_import import CommentsMixin
from masthead.wordpress.wp_values import make_slug, parse_wp_date

SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}
REMEMBER_BATCH = 500


@dataclass
class Report:
    file: str
    dry_run: bool = False
    source: str = ""
    wxr_version: str = ""
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)  # --update: what changed in WordPress since
    skipped: Counter = field(default_factory=Counter)  # reason -> how many
    warnings: list[str] = field(default_factory=list)
    unknown_shortcodes: Counter = field(default_factory=Counter)
    missing_images: int = 0

    def as_dict(self) -> dict:
        return {
            "file": self.file, "dry_run": self.dry_run, "source": self.source, "wxr_version": self.wxr_version,
            "created": dict(self.created), "updated": dict(self.updated), "skipped": dict(self.skipped), "warnings": self.warnings,
            "unknown_shortcodes": dict(self.unknown_shortcodes), "missing_images": self.missing_images,
        }


class Importer(PeopleAndPlacesMixin, CommentsMixin):
    def __init__(self, *, channel: wxr.Channel, categories_as: str, run: ImportRun | None, report: Report,
                 media: Path | None = None, attachments: dict[str, str] | None = None, update: bool = False,
                 home: HomePage | None = None, progress=None):
        self.channel, self.categories_as, self.run, self.report = channel, categories_as, run, report
        self.update = update
        self.progress = progress or (lambda phase, done, total: None)  # see actions.PHASES
        self.media, self.attachments = media, attachments or {}
        self.would_import: set[str] = set()  # a dry run's images: counted, not stored
        self.home = home or HomePage.objects.first()
        if self.home is None:
            raise wxr.WXRError("The site has no home page to put sections under; run `masthead demo` or make one.")
        self.known: dict[tuple[str, str], int] | None = None
        self.found: dict[tuple[str, str], object] = {}  # authors, sections, topics met in this run
        self.to_remember: list[ImportedObject] = []
        self.authors: dict[str, wxr.Author] = {}
        self.terms: dict[tuple[str, str], wxr.Term] = {}
        self.members: dict[str, object] = {}
        self.lead_candidate: ArticlePage | None = None
        self.pages_by_link: dict[str, int] = {}  # an old address's post key -> the article made from it
        self.to_relink: list[int] = []  # articles and pages whose bodies link to the old site
        self.page_items: list[wxr.Item] = []
        self.attachment_items: list[wxr.Item] = []
        self.site = Site.objects.filter(root_page=self.home).first()
        self.redirects: Redirects | None = None
        self.image_urls: dict[int, str] = {}
        self.comments_added = 0
        self.files_written: list = []  # the image files this run stored, removed if it fails

    # Remembering what was imported.
    def _load_known(self) -> None:
        if self.known is None:
            self.report.source = self.channel.source
            rows = ImportedObject.objects.filter(source=self.channel.source).values_list("kind", "wp_key", "object_id")
            self.known = {(kind, key): object_id for kind, key, object_id in rows}
            self.redirects = Redirects(site=self.site, source=self.channel.source)

    def remember(self, kind: str, wp_key: str, object_id: int, email: str = "", wp_modified=None, obj=None) -> None:
        """Remember what a WordPress object became (written in batches: `flush_remembered`); `obj`, the object
        itself, is kept for the rest of the run so that `existing` need not fetch it again."""
        self.to_remember.append(ImportedObject(source=self.channel.source, kind=kind, wp_key=wp_key[:300],
                                               object_id=object_id, email=email[:254], run=self.run,
                                               wp_modified=wp_modified))
        self.known[(kind, wp_key[:300])] = object_id
        if obj is not None:
            self.found[(kind, wp_key[:300])] = obj
        self.report.created[kind + "s"] += 1
        if len(self.to_remember) >= REMEMBER_BATCH:
            self.flush_remembered()

    def flush_remembered(self) -> None:
        ImportedObject.objects.bulk_create(self.to_remember, batch_size=REMEMBER_BATCH)
        self.to_remember = []

    def existing(self, model, kind: str, wp_key: str):
        """What this WordPress object became in an earlier run; None (and the memory of it dropped) when an
        editor has deleted it since, so that an author, section or topic is made again when needed."""
        if (kind, wp_key) in self.found:
            return self.found[(kind, wp_key)]
        object_id = self.known.get((kind, wp_key))
        found = model.objects.filter(pk=object_id).first() if object_id is not None else None
        if object_id is not None and found is None:
            ImportedObject.objects.filter(source=self.channel.source, kind=kind, wp_key=wp_key).delete()
            del self.known[(kind, wp_key)]
        if found is not None:
            self.found[(kind, wp_key)] = found
        return found

    def handle(self, record) -> None:
        self._load_known()
        if isinstance(record, wxr.Author):
            self.authors[record.login] = record
        elif isinstance(record, wxr.Term):
            self.terms[(record.taxonomy, record.slug)] = record
        else:
            self.item(record)

    def finish(self) -> None:
        self._load_known()  # an export with no records at all
        plain_pages.import_pages(self, self.page_items)
        self.relink()
        self.old_links()
        if self.lead_candidate is not None and self.home.lead_article_id is None:
            self.home.lead_article = self.lead_candidate
            self.home.save_revision().publish()
        self.report.warnings[:0] = self.channel.warnings
        self.flush_remembered()

    # Posts.
    def item(self, item: wxr.Item) -> None:
        if item.post_type == "page" and item.status not in SKIPPED_STATUSES:
            self.page_items.append(item)  # made at the end, parents first, whatever the file's order
            return
        if item.post_type == "attachment":
            self.attachment_items.append(item)
        if item.post_type != "post":
            reason = {"page": f"page with status {item.status!r}",
                      "attachment": "attachment (its image is imported where a post uses it, with --media)"}.get(item.post_type)
            self.report.skipped[reason or f"post type {item.post_type!r}"] += 1
            return
        if item.status in SKIPPED_STATUSES:
            self.report.skipped[f"post with status {item.status!r}"] += 1
            return
        if (ImportedKind.ARTICLE, item.wp_id) in self.known:
            page = ArticlePage.objects.filter(pk=self.known[(ImportedKind.ARTICLE, item.wp_id)]).first()
            if page is None:  # deleted by an editor since: not brought back
                self.report.skipped["post whose article was deleted here"] += 1
                return
            if not self.refresh(page, item, ImportedKind.ARTICLE):
                self.report.skipped["post already imported"] += 1
        else:
            page = self.article(item)
        self.comments(page, item)

    def article(self, item: wxr.Item) -> ArticlePage:
        section, topics = self.place(item)
        label = f"post {item.wp_id} ({item.title[:60]!r})"
        body, status, shortcodes = self.body(item, label)
        thumbnail = item.meta.get("_thumbnail_id")
        lead_image_id = self.find_image(f"attachment:{thumbnail}") if isinstance(thumbnail, str) else None
        published_at = parse_wp_date(item.date_gmt, item.date)
        standfirst = html.unescape(strip_tags(item.excerpt)).strip() or _first_words(body) or item.title or "Imported post"
        page = ArticlePage(
            title=(item.title.strip() or f"Untitled post {item.wp_id}")[:255],
            slug=self.free_slug(section, make_slug(item.slug, item.title, f"post-{item.wp_id}")),
            standfirst=standfirst,
            body=body,
            first_published_at=published_at if status in ("publish", "future") else None,
            lead_image_id=lead_image_id,
            live=False,
        )
        page.article_authors = [ArticleAuthor(author=self.author(item.creator or "admin"), sort_order=0)]
        page.topics = topics
        published = self.add_page(section, page, item, status, ImportedKind.ARTICLE)
        if item.is_sticky and published:
            self.lead_candidate = page
        if shortcodes:
            placed, warnings = feedback.place_points(page.pk, shortcodes, label)
            self.report.warnings.extend(warnings)
            for form_id, point_id in placed.items():
                self.remember(ImportedKind.FEEDBACK, f"{item.wp_id}:{form_id}", point_id)
        return page

    def body(self, item: wxr.Item, label: str) -> tuple[list[dict], str, list[feedback.Shortcode]]:
        """The post's or page's body as blocks, the status it is imported with (draft when it cannot be shown
        as it was), and its wpDiscuz feedback shortcodes; the conversion's warnings go in the report."""
        content, shortcodes = feedback.extract(item.content)
        conversion = html_blocks.convert(content, find_image=self.find_image)
        self.report.unknown_shortcodes.update(conversion.unknown_shortcodes)
        self.report.missing_images += len([a for a in conversion.missing_images if a not in self.would_import])
        for warning, times in Counter(conversion.warnings).items():
            self.report.warnings.append(f"{label}: {warning}" + (f" (×{times})" if times > 1 else ""))
        body, status = conversion.blocks, item.status
        if not body and item.post_type == "post":
            body = [{"type": "paragraph", "value": "<p><i>This post had no text that could be imported.</i></p>"}]
            self.report.warnings.append(f"{label}: no text could be imported; kept as a draft.")
            status = "draft"
        if item.password:
            self.report.warnings.append(f"{label}: was password-protected; kept as a draft.")
            status = "draft"
        if status == "private":
            self.report.warnings.append(f"{label}: was private; kept as a draft.")
        return body, status, shortcodes

    def add_page(self, parent: Page, page: Page, item: wxr.Item, status: str, kind: str) -> bool:
        """Put a new page under its parent with the post's status and dates, and remember it; whether it is live."""
        published_at = parse_wp_date(item.date_gmt, item.date)
        scheduled = status == "future" and published_at is not None and published_at > timezone.now()
        if scheduled:
            page.go_live_at = published_at  # publishing the revision then waits for this moment
        parent.add_child(instance=page)
        revision = page.save_revision(clean=False)  # add_child has just validated the same page
        if scheduled:
            revision.publish()
            self.report.created["scheduled"] += 1
        elif status in ("publish", "future"):
            revision.publish()
            modified = parse_wp_date(item.modified_gmt, "") or published_at
            if published_at:  # publishing stamps "now"; the post's own dates are the truth
                Page.objects.filter(pk=page.pk).update(
                    first_published_at=published_at, last_published_at=max(modified, published_at))
        self.remember(kind, item.wp_id, page.pk, wp_modified=parse_wp_date(item.modified_gmt, ""))
        self.redirects.post(item, page.pk)
        for address in (item.link, item.guid):
            if address:
                self.pages_by_link[links.post_key(address)] = page.pk
        if links.links_to(page.body.raw_data, links.host_of(self.channel.source)):
            self.to_relink.append(page.pk)
        return status in ("publish", "future") and not scheduled

    def refresh(self, page: Page, item: wxr.Item, kind: str) -> bool:
        """With --update, a post or page changed in WordPress since it was imported (post_modified_gmt) gets its
        title and body again (and an article its standfirst), as a new revision, published if the page is live;
        where it sits, its topics and its byline stay as editors left them. Whether it was refreshed."""
        modified = parse_wp_date(item.modified_gmt, "")
        self.flush_remembered()
        row = ImportedObject.objects.filter(source=self.channel.source, kind=kind, wp_key=item.wp_id)
        before = row.values_list("wp_modified", flat=True).first()
        if not self.update or modified is None or (before is not None and modified <= before):
            return False
        label = f"{item.post_type} {item.wp_id} ({item.title[:60]!r})"
        body, _, _ = self.body(item, label)
        page.title = (item.title.strip() or page.title)[:255]
        page.body = body or page.body
        if isinstance(page, ArticlePage):
            page.standfirst = html.unescape(strip_tags(item.excerpt)).strip() or _first_words(body) or page.standfirst
        first_published_at = page.first_published_at
        revision = page.save_revision()
        if page.live:
            revision.publish()
            Page.objects.filter(pk=page.pk).update(first_published_at=first_published_at,
                                                   last_published_at=max(modified, first_published_at or modified))
        row.update(wp_modified=modified)
        self.report.updated["articles" if kind == ImportedKind.ARTICLE else "pages"] += 1
        if links.links_to(body, links.host_of(self.channel.source)):
            self.to_relink.append(page.pk)
        return True

    def relink(self) -> None:
        """Links between imported posts become page links, once every post of the file has its page."""
        host = links.host_of(self.channel.source)

        def page_for(key: str) -> int | None:
            if key.startswith(("?p=", "?page_id=")):
                wp_id = key.partition("=")[2]
                return self.known.get((ImportedKind.ARTICLE, wp_id)) or self.known.get((ImportedKind.PAGE, wp_id))
            return self.pages_by_link.get(key)

        total = len(self.to_relink)
        for done, page in enumerate(Page.objects.filter(pk__in=self.to_relink).specific(), start=1):
            self.progress("Links between posts", done, total)
            blocks = [dict(block) for block in page.body.raw_data]
            if not links.rewrite(blocks, host, page_for):
                continue
            dates = (page.first_published_at, page.last_published_at)
            page.body = blocks
            revision = page.save_revision()
            scheduled = page.go_live_at is not None and page.go_live_at > timezone.now()
            if page.live or scheduled:  # the new revision takes the published (or scheduled) one's place
                revision.publish()
            if page.live:
                Page.objects.filter(pk=page.pk).update(first_published_at=dates[0], last_published_at=dates[1])
            self.report.created["articles with links rewritten" if isinstance(page, ArticlePage)
                                else "pages with links rewritten"] += 1

    def free_slug(self, parent: Page, slug: str) -> str:
        taken = set(parent.get_children().filter(slug__startswith=slug[:240]).values_list("slug", flat=True))
        candidate, number = slug[:240], 1
        while candidate in taken:
            number += 1
            candidate = f"{slug[:240]}-{number}"
        return candidate

    # Images.
    def find_image(self, address: str) -> int | None:
        """The Wagtail image for an address in the export (or "attachment:ID"), made once from --media."""
        original = address
        if address.startswith("attachment:"):
            address = self.attachments.get(address.partition(":")[2], "")
        found = media.local_file(self.media, address) if address and self.media else None
        if found is None:
            return None
        relative, path = found
        key = (ImportedKind.IMAGE, relative)
        if key in self.known:
            return self.known[key]
        if self.report.dry_run:
            if relative not in self.would_import:
                self.report.created["images"] += 1
            self.would_import.update((relative, original))
            return None
        image = media.make_image(path, title=path.stem.replace("-", " "))
        if image is None:
            self.report.warnings.append(f"{relative}: not an image that can be read; left out.")
            return None
        image_id, self.image_urls[image.pk] = image.pk, image.file.url
        self.files_written.append(image.file)
        self.remember(ImportedKind.IMAGE, relative, image_id)
        if not original.startswith("attachment:"):
            self.redirects.file(original, self.image_url(image_id))
        return image_id

    def image_url(self, image_id: int) -> str:
        if image_id not in self.image_urls:
            self.image_urls[image_id] = get_image_model().objects.get(pk=image_id).file.url
        return self.image_urls[image_id]

    # Old links.
    def old_links(self) -> None:
        """Attachments (their images made from --media, their pages and files redirected) and the feeds'
        addresses; then the run's redirects are written, and the ones not to a page remembered."""
        for done, item in enumerate(self.attachment_items, start=1):
            self.progress("Old addresses", done, len(self.attachment_items) + 1)
            image_id = self.find_image(f"attachment:{item.wp_id}") if item.attachment_url else None
            if image_id is not None:
                url = self.image_url(image_id)
                for address in (item.attachment_url, item.link, f"/?attachment_id={item.wp_id}"):
                    self.redirects.add(address, link=url)
                continue
            parent = self.known.get((ImportedKind.ARTICLE, item.parent)) or self.known.get((ImportedKind.PAGE, item.parent))
            if parent is not None:  # the attachment's page, at least, leads to the post it belonged to
                for address in (item.link, f"/?attachment_id={item.wp_id}"):
                    self.redirects.add(address, page_id=parent)
        self.redirects.feeds()
        made = self.redirects.save()
        self.progress("Old addresses", len(self.attachment_items) + 1, len(self.attachment_items) + 1)
        for redirect in made:
            if redirect.redirect_page_id is None:  # the others go when their page does
                self.remember(ImportedKind.REDIRECT, redirect.old_path, redirect.pk)
        self.report.created.pop("redirects", None)
        if made:
            self.report.created["old addresses redirected"] += len(made)

def _first_words(blocks: list[dict]) -> str:
    for block in blocks:
        if block["type"] == "paragraph":
            text = html.unescape(strip_tags(block["value"])).strip()
            if text:
                return Truncator(text).words(40)
    return ""
