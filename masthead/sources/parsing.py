"""A fetched feed (RSS 0.9x to 2.0, Atom) read with feedparser into the items we may republish.

feedparser reads almost anything; we refuse what is not well-formed XML (a truncated or broken file would
otherwise yield whatever came before the fault) and what is no feed at all, with the reason for the editor.
"""

import calendar
import hashlib
import html
import re
import xml.sax
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from urllib.parse import urlsplit

import feedparser
from django.utils.html import strip_tags

from masthead.sources.models import ITEM_KEY_LENGTH

WHITESPACE = re.compile(r"\s+")


class FeedError(Exception):
    """The answer is not a feed we can read; the message says why, for the editor."""


@dataclass
class FeedEntry:
    key: str  # the item's id, else its link (hashed when longer than the column)
    link: str  # "" when the item has no http(s) link: it cannot be credited, so it is refused
    title: str
    body_html: str  # the whole piece when the feed carries it (content:encoded, Atom content), else the summary
    summary_html: str
    summary_text: str
    author: str
    published: date | None
    rights: str


@dataclass
class ParsedFeed:
    title: str
    language: str
    rights: str
    entries: list[FeedEntry]


def parse_feed(body: bytes, *, url: str = "", content_type: str = "") -> ParsedFeed:
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    # A stream, never a string: feedparser would fetch a string that looks like an address itself.
    parsed = feedparser.parse(BytesIO(body), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("The address does not answer with an RSS or Atom feed.")
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXParseException):
        raise FeedError(
            f"The feed is not well-formed XML: {problem.getMessage()} "
            f"at line {problem.getLineNumber()}, column {problem.getColumnNumber()}."
        )
    feed = parsed.feed
    return ParsedFeed(
        title=_plain(feed.get("title", "")),
        language=(feed.get("language") or "").split("-")[0].lower(),
        rights=_plain(feed.get("rights") or feed.get("license") or ""),
        entries=[_entry(raw) for raw in parsed.entries],
    )


def _entry(raw) -> FeedEntry:
    link = raw.get("link") or ""
    if urlsplit(link).scheme.lower() not in ("http", "https"):
        link = ""
    key = (raw.get("id") or link or "").strip()
    if len(key) > ITEM_KEY_LENGTH:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    contents = [part.get("value", "") for part in raw.get("content") or [] if part.get("value")]
    summary = raw.get("summary") or ""
    moment = raw.get("published_parsed") or raw.get("updated_parsed")
    return FeedEntry(
        key=key,
        link=link[:500],
        title=_plain(raw.get("title", ""))[:255],
        body_html=max(contents, key=len) if contents else summary,
        summary_html=summary,
        summary_text=_plain(summary),
        author=_plain(raw.get("author", ""))[:120],
        published=datetime.fromtimestamp(calendar.timegm(moment), UTC).date() if moment else None,
        rights=_plain(raw.get("rights") or raw.get("license") or ""),
    )


def _plain(text: str) -> str:
    return WHITESPACE.sub(" ", html.unescape(strip_tags(text or ""))).strip()
