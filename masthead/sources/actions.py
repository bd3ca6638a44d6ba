"""The source feeds' writes: checking a feed (fetch, read, and each new item made a draft republished article)
and checking every feed that is due, each claimed first so that two workers never check one feed at once.

A check never publishes anything: drafts wait for an editor. A failed check (the server, the network, the XML)
writes nothing but the failure, on the feed, for its admin page.
"""

import html
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from wagtail.coreutils import find_available_slug

from masthead.articles.models import ArticleAuthor, ArticlePage, Author
from masthead.sources.body import html_to_blocks
from masthead.sources.fetching import FetchError, fetch_feed
from masthead.sources.models import FeedItem, FeedStatus, SourceFeed
from masthead.sources.parsing import FeedEntry, FeedError, ParsedFeed, parse_feed

STANDFIRST_CHARACTERS = 300


@dataclass
class CheckOutcome:
    feed: SourceFeed
    status: str
    created: list[ArticlePage] = field(default_factory=list)
    already_known: int = 0
    refused: list[str] = field(default_factory=list)  # why each item that was not taken was not
    images_left_out: int = 0
    error: str = ""

    def summary(self) -> str:
        if self.status == FeedStatus.ERROR:
            return f"Failed: {self.error}"
        if self.status == FeedStatus.NOT_MODIFIED:
            return "The feed has not changed since the last check."
        parts = [f"{_count(len(self.created), 'new draft')}", f"{self.already_known} already taken"]
        if self.images_left_out:
            parts.append(f"{_count(self.images_left_out, 'image')} in the items left out "
                         "(add them from the original if wanted)")
        text = "; ".join(parts) + "."
        if self.refused:
            text += f" {_count(len(self.refused), 'item')} not taken: " + " ".join(self.refused)
        return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def do_check_due_feeds(*, now: datetime | None = None) -> list[CheckOutcome]:
    """Check each active feed whose time has come; a feed another worker claimed first is left to it."""
    now = now or timezone.now()
    outcomes = []
    for feed in SourceFeed.objects.due(now).select_related("source_outlet", "section"):
        # The claim moves the next check forward only if no one else has since we read the row.
        as_read = {"next_check_at": feed.next_check_at} if feed.next_check_at else {"next_check_at__isnull": True}
        claimed = SourceFeed.objects.filter(pk=feed.pk, **as_read)
        if claimed.update(next_check_at=now + feed.interval) != 1:
            continue
        outcomes.append(do_check_feed(feed=feed, now=now))
    return outcomes


def do_check_feed(*, feed: SourceFeed, now: datetime | None = None) -> CheckOutcome:
    """Fetch the feed (conditionally), and make each item not taken before a draft republished article."""
    now = now or timezone.now()
    try:
        fetched = fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if fetched.not_modified:
            outcome = CheckOutcome(feed=feed, status=FeedStatus.NOT_MODIFIED)
            _record(feed, outcome, now=now)
            return outcome
        parsed = parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type)
    except (FetchError, FeedError) as error:
        outcome = CheckOutcome(feed=feed, status=FeedStatus.ERROR, error=str(error))
        _record(feed, outcome, now=now)
        return outcome
    outcome = CheckOutcome(feed=feed, status=FeedStatus.OK)
    _take_entries(feed, parsed, outcome)
    # The validators are kept only now that every item is taken: a check cut short fetches the whole feed again.
    feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    _record(feed, outcome, now=now, extra_fields=["etag", "last_modified"])
    return outcome


def _record(feed: SourceFeed, outcome: CheckOutcome, *, now: datetime, extra_fields=()) -> None:
    feed.status, feed.last_checked_at, feed.next_check_at = outcome.status, now, now + feed.interval
    feed.last_result = outcome.summary()
    fields = ["status", "last_checked_at", "next_check_at", "last_result", *extra_fields]
    if outcome.status == FeedStatus.ERROR:
        feed.last_error, feed.last_error_at = outcome.error, now
        feed.consecutive_errors += 1
        fields += ["last_error", "last_error_at", "consecutive_errors"]
    elif feed.consecutive_errors:
        feed.consecutive_errors = 0
        fields.append("consecutive_errors")
    feed.save(update_fields=fields)


def _take_entries(feed: SourceFeed, parsed: ParsedFeed, outcome: CheckOutcome) -> None:
    keys = [entry.key for entry in parsed.entries if entry.key]
    known = set(FeedItem.objects.filter(feed=feed, key__in=keys).values_list("key", flat=True))
    # Feeds list the newest first; drafts are made oldest first, so the admin's "latest" order matches.
    for entry in reversed(parsed.entries):
        name = f"“{entry.title or entry.link or 'untitled'}”"
        if not entry.key:
            outcome.refused.append(f"{name} has neither an id nor a link.")
        elif entry.key in known:
            outcome.already_known += 1
        elif not entry.link:
            outcome.refused.append(f"{name} has no http(s) link to credit as the original.")
        else:
            try:
                with transaction.atomic():
                    # The item row first: its unique key is what stops a second worker making the same draft.
                    item = FeedItem.objects.create(feed=feed, key=entry.key, link=entry.link,
                                                   title=entry.title or entry.link[:255])
                    item.article, images_left_out = _make_draft(feed, parsed, entry)
                    item.save(update_fields=["article"])
            except IntegrityError:
                outcome.already_known += 1
                continue
            except ValidationError as error:
                outcome.refused.append(f"{name} could not be made an article: {'; '.join(error.messages)}")
                continue
            known.add(entry.key)
            outcome.created.append(item.article)
            outcome.images_left_out += images_left_out


def _make_draft(feed: SourceFeed, parsed: ParsedFeed, entry: FeedEntry) -> tuple[ArticlePage, int]:
    body = html_to_blocks(entry.body_html)
    blocks = body.blocks or [{"type": "paragraph", "value": "<p>The feed gave no text for this piece.</p>"}]
    title = entry.title or Truncator(entry.summary_text).chars(80) or f"A piece from {feed.source_outlet.name}"
    note = feed.licence_note
    if entry.rights or parsed.rights:
        note += f"\n\nThe original says: {entry.rights or parsed.rights}"
    article = ArticlePage(
        title=title[:255],
        slug=find_available_slug(feed.section, slugify(title)[:200] or "republished"),
        standfirst=_standfirst(entry, title),
        body=blocks,
        language=_language(parsed.language),
        source_outlet=feed.source_outlet,
        original_url=entry.link,
        original_published_at=entry.published,
        republication_note=note,
        live=False,  # a draft: only an editor publishes it
    )
    byline = _author(entry.author or feed.source_outlet.name)
    article.article_authors = [ArticleAuthor(author=byline, sort_order=0)]
    feed.section.add_child(instance=article)
    article.save_revision()
    return article, body.images_left_out


def _standfirst(entry: FeedEntry, title: str) -> str:
    """The summary's first paragraph (a summary is often the whole piece), else the title, kept short."""
    blocks = html_to_blocks(entry.summary_html).blocks
    paragraphs = [block["value"] for block in blocks if block["type"] == "paragraph"]
    text = strip_tags(paragraphs[0]).strip() if paragraphs else ""
    return Truncator(html.unescape(text) or entry.summary_text or title).chars(STANDFIRST_CHARACTERS)


def _language(code: str) -> str:
    return code if code in {language for language, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


def _author(name: str) -> Author:
    """The author of that name, or a new one (no bio: an editor can add it) with a slug of its own."""
    existing = Author.objects.filter(name__iexact=name).order_by("pk").first()
    if existing:
        return existing
    base = slugify(name)[:100] or "author"
    slug, number = base, 1
    while Author.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return Author.objects.create(name=name, slug=slug)
