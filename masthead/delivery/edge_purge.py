"""The cache in front of the site (Varnish) told of every change readers see, after the change commits.

A page: Wagtail's frontend cache purges its addresses (its HTTP backend sends PURGE to each Varnish in
`WAGTAILFRONTENDCACHE`, set from `MASTHEAD_VARNISH_URL`); the same page with a query (a comment sort, a page
number) and the lists that show it (home, its sections, topics, authors, the archive, the feeds, the sitemap)
are banned (a BAN request carrying a regular expression of addresses, which the VCL in deploy/ accepts from its
purgers only). A change every page may show (settings, snippets, images, a site, a bulk change announced by
`readers_see_changes`): everything is banned.

Each purge is sent again a second later: a page rendered from the old data just before the commit may reach the
cache after the first purge.
"""

import logging
import re
import threading
from functools import partial
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from masthead.core.signals import readers_see_changes
from masthead.delivery.receivers import CONTENT_MODELS, OPTIONAL_CONTENT_MODELS, SITE_SETTINGS_MODELS, model_exists
from masthead.discussion.models import Comment, Thread, Vote

logger = logging.getLogger("masthead.edge")

EVERYTHING = "^/"
LISTS = [r"^/(\?.*)?$", r"^/feeds/", r"^/sitemap", r"^/(topics|authors|archive)/"]
REPEAT_AFTER_SECONDS = 1.0
BAN_TIMEOUT_SECONDS = 2

def ban(pattern: str) -> None:
    """Ban every cached address matching `pattern` (a regular expression of paths) in every Varnish."""
    for location in settings.MASTHEAD_VARNISH_URLS:
        request = Request(location, method="BAN", headers={"X-Ban-Url": pattern})
        try:
            with urlopen(request, timeout=BAN_TIMEOUT_SECONDS):  # noqa: S310 - our configured Varnish
                pass
        except (URLError, OSError) as error:
            logger.error("Couldn't ban %r in %s: %s", pattern, location, error)


def address_pattern(path: str) -> str:
    """The path and the same path with any query."""
    return "^" + re.escape(path) + r"(\?.*)?$"


def page_patterns(page: Page) -> list[str]:
    """What to ban when `page` changes: its own addresses with a query, its ancestors (sections), the lists."""
    patterns = list(LISTS)
    for shown in [page, *page.get_ancestors().filter(depth__gt=1)]:
        parts = shown.get_url_parts()
        if parts is not None:
            patterns.append(address_pattern(urlsplit(parts[2]).path or "/"))
    return patterns


def send(batch: PurgeBatch, patterns: list[str]) -> None:
    batch.purge()
    for pattern in dict.fromkeys(patterns):
        ban(pattern)


def send_now_and_again(*, pages: list[Page] = (), patterns: list[str] = ()) -> None:
    """Purge the pages' addresses and ban the patterns now, and once more a second later (from a thread, with
    the addresses worked out here: no database work there)."""
    batch = PurgeBatch()
    batch.add_pages(pages)
    send(batch, patterns)
    timer = threading.Timer(REPEAT_AFTER_SECONDS, send, args=(batch, list(patterns)))
    timer.daemon = True
    timer.start()


def purge_after_commit(*, page_ids: set[int] = frozenset(), everything: bool = False) -> None:
    """Purge the pages (and what lists them), or everything, once the current transaction commits."""
    if settings.MASTHEAD_VARNISH_URLS:
        transaction.on_commit(partial(_flush, frozenset(page_ids), everything))


def _flush(page_ids: frozenset[int], everything: bool) -> None:
    if everything:
        send_now_and_again(patterns=[EVERYTHING])
        return
    pages = list(Page.objects.filter(pk__in=page_ids).specific())
    patterns = [pattern for page in pages for pattern in page_patterns(page)]
    send_now_and_again(pages=pages, patterns=patterns)


def _page_changed(sender, instance, **kwargs):
    purge_after_commit(page_ids={instance.pk})


def _everything_changed(sender, **kwargs):
    purge_after_commit(everything=True)


def _settings_changed(sender, created=False, **kwargs):
    if not created:
        purge_after_commit(everything=True)


def _page_deleted(sender, instance=None, **kwargs):
    if isinstance(instance, Page):
        purge_after_commit(everything=True)


def _announced(sender, content=False, **kwargs):
    if content:
        purge_after_commit(everything=True)


def _discussion_changed(sender, instance, **kwargs):
    if not settings.MASTHEAD_VARNISH_URLS:
        return  # no queries for nothing to purge
    thread_id = instance.thread_id if isinstance(instance, Comment) else _thread_of_vote(instance)
    page_id = Thread.objects.filter(pk=thread_id).values_list("page_id", flat=True).first()
    if page_id is not None:
        purge_after_commit(page_ids={page_id})


def _thread_of_vote(vote: Vote) -> int | None:
    return Comment.objects.filter(pk=vote.comment_id).values_list("thread_id", flat=True).first()


def connect_receivers() -> None:
    page_published.connect(_page_changed, dispatch_uid="masthead.edge.published")
    page_unpublished.connect(_page_changed, dispatch_uid="masthead.edge.unpublished")
    post_page_move.connect(_everything_changed, dispatch_uid="masthead.edge.moved")
    post_delete.connect(_page_deleted, dispatch_uid="masthead.edge.page.delete")
    readers_see_changes.connect(_announced, dispatch_uid="masthead.edge.announced")
    for model in (Comment, Vote):
        post_save.connect(_discussion_changed, sender=model, dispatch_uid=f"masthead.edge.{model.__name__}.save")
        post_delete.connect(_discussion_changed, sender=model, dispatch_uid=f"masthead.edge.{model.__name__}.delete")
    labels = [label for label in CONTENT_MODELS if label != "wagtailcore.Page"]
    labels += [label for label in OPTIONAL_CONTENT_MODELS if model_exists(label)] + ["membership.Tier"]
    models = [apps.get_model(label) for label in labels] + [get_image_model()]
    for model in models:
        post_save.connect(_everything_changed, sender=model, dispatch_uid=f"masthead.edge.{model.__name__}.save")
        post_delete.connect(_everything_changed, sender=model, dispatch_uid=f"masthead.edge.{model.__name__}.del")
    for label in SITE_SETTINGS_MODELS:
        model = apps.get_model(label)
        post_save.connect(_settings_changed, sender=model, dispatch_uid=f"masthead.edge.{label}.save")
        post_delete.connect(_everything_changed, sender=model, dispatch_uid=f"masthead.edge.{label}.delete")
