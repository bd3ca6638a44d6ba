"""The article page's HTML cache: the whole page per kind of reader, each reader's own parts filled in per request.

A page is cached under everything it depends on: the site's content (the content stamp, which any page,
snippet, image or settings change replaces; masthead.core.stamps), the thread's version, the reader's access
class and what the gate decided for them (visibility, soft prompt, free articles left), whether comments are
open and their sort. What belongs to one reader (the CSRF token, their own votes and comments) is filled in per
request (discussion.presentation.personalise). Staff, Wagtail editors, previews, pages with view restrictions,
responses carrying a one-off notice and any HTML rendered with a real CSRF token are never cached.

A request for a page already cached skips Wagtail's routing: ArticlePageCacheMiddleware finds the page by its
address (a route entry made when the page was first served, used only under the content stamp it was made
under), reads the stamps and the thread in one query and answers from the cache.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from masthead.core.holes import mark_filled, split_at_holes, watching_csrf
from masthead.core.stamps import StampedMemo, Stamps, read_stamps_and_thread

ROUTE_SECONDS = 3600
# Whether a signed-in reader may use the admin, by user id, under the membership stamp.
_admin_users = StampedMemo()


@dataclass(frozen=True)
class ArticleFacts:
    """What the gate needs of an article, kept with its route so that a cached page needs no page query."""

    pk: int
    live: bool
    first_published_at: datetime | None
    access_level: str
    allowed_tier_ids: frozenset[int]

    @classmethod
    def of(cls, article) -> "ArticleFacts":
        return cls(
            pk=article.pk,
            live=article.live,
            first_published_at=article.first_published_at,
            access_level=article.access_level,
            allowed_tier_ids=article.allowed_tier_ids,
        )


@dataclass(frozen=True)
class Route:
    content_stamp: str
    facts: ArticleFacts


def cache_seconds() -> int:
    return settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS


def route_key(request) -> str:
    return f"masthead:page-route:{request.get_host()}:{request.path}"


def may_use_admin(user, stamps: Stamps) -> bool:
    """Whether the user reaches the Wagtail admin (and so gets the editors' bar): kept under the membership
    stamp, which group and permission changes replace."""
    if user.is_superuser or user.is_staff:
        return True
    return _admin_users.get(stamps.membership, user.pk, lambda: user.has_perm("wagtailadmin.access_admin"))


def cacheable_request(request, stamps: Stamps | None) -> bool:
    from masthead.membership.access import reader_for_request

    if not cache_seconds() or stamps is None or request.method != "GET" or getattr(request, "is_preview", False):
        return False
    if any(name != "sort" for name in request.GET):
        return False
    reader = reader_for_request(request)
    # request.user, read after the reader: by then the user itself rather than Django's lazy wrapper.
    if reader.is_member and (reader.is_staff or may_use_admin(request.user, stamps)):
        return False
    # A one-off notice after a comment was posted belongs to this response only.
    return not request.session.get("discussion_notice")


def _thread_stamp(row) -> tuple[str, bool | None]:
    """The thread's identity and version from the stamps query, and whether an editor closed it."""
    if row is None or row[0] is None:
        return "none", None
    thread_id, created_at, version, is_closed, _count = row
    return f"{thread_id}:{created_at}:{version}", bool(is_closed)


def comments_open(request, facts: ArticleFacts, is_closed: bool | None) -> bool:
    """Thread.is_open on the cached facts: closed by an editor, or automatically N days after publication."""
    from masthead.discussion.models import DiscussionSettings

    if is_closed:
        return False
    days = DiscussionSettings.current(request).close_after_days
    if not days or facts.first_published_at is None:
        return True
    return timezone.now() < facts.first_published_at + timedelta(days=days)


def page_key(request, facts: ArticleFacts, stamps: Stamps, thread_row, reading) -> str:
    from masthead.discussion.thread_pages import chosen_sort

    thread_stamp, is_closed = _thread_stamp(thread_row)
    parts = [
        facts.pk,
        stamps.content,
        thread_stamp,
        comments_open(request, facts, is_closed),
        chosen_sort(request),
        reading.reader.access_class,
        reading.visibility,
        reading.soft_prompt,
        reading.free_left,
        translation.get_language(),
        request.get_host(),
    ]
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()[:40]
    return f"masthead:article-page:{digest}:{reading.reader.access_class}"


def _thread_row(request, article_id: int):
    known = getattr(request, "_masthead_thread_row", None)
    if known is not None and known[0] == article_id:
        return known[1]
    _, row = read_stamps_and_thread(article_id)
    request._masthead_thread_row = (article_id, row)
    return row


def _finish(response, request):
    patch_vary_headers(response, ("Cookie",))  # the page differs between signed-in and signed-out readers
    meter = getattr(request, "_masthead_meter", None)
    if meter is not None:
        meter.save(response)
    return response


def serve_cached(request, route: Route) -> HttpResponse | None:
    """The page from the cache, personalised for this reader; None when it is not cached for their kind."""
    from masthead.discussion.presentation import personalise
    from masthead.membership.reading import article_reading

    stamps = request._masthead_stamps
    if not cacheable_request(request, stamps):
        return None
    reading = article_reading(route.facts, request)
    entry = cache.get(page_key(request, route.facts, stamps, _thread_row(request, route.facts.pk), reading))
    if entry is None:
        return None
    parts, holes = entry
    response = HttpResponse(personalise(parts, request, holes), content_type="text/html; charset=utf-8")
    return _finish(mark_filled(response), request)


def serve_article_page(article, request, serve):
    """Serve the article page through the cache: render it (once per kind of reader and state), store the shared
    HTML, and personalise it for this reader."""
    from masthead.discussion.presentation import personalise
    from masthead.membership.reading import article_reading

    stamps = getattr(request, "_masthead_stamps", None)  # read before routing by the middleware
    key = None
    if cacheable_request(request, stamps):
        reading = article_reading(article, request)
        key = page_key(request, ArticleFacts.of(article), stamps, _thread_row(request, article.pk), reading)
    with watching_csrf(request) as watch:
        response = serve()
        response.render()
    parts = split_at_holes(response.content.decode(response.charset))
    holes = getattr(request, "_masthead_discussion_holes", None)
    if (
        key is not None
        and response.status_code == 200
        and not watch["token_used"]
        and not getattr(request, "_masthead_uncacheable", False)
        and not article.get_view_restrictions().exists()
    ):
        cache.set(key, (parts, holes), cache_seconds())
        cache.set(route_key(request), Route(stamps.content, ArticleFacts.of(article)), ROUTE_SECONDS)
    response.content = personalise(parts, request, holes).encode(response.charset)
    return _finish(mark_filled(response), request)


class ArticlePageCacheMiddleware:
    """Answers requests for cached article pages before Wagtail routes them (see the module's docstring)."""

    def __init__(self, get_response):
        from wagtail.views import serve

        self.get_response = get_response
        self.wagtail_serve = serve

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not self.wagtail_serve or request.method != "GET" or not cache_seconds():
            return None
        route = cache.get(route_key(request))
        # Read before routing even when nothing is cached yet: the page then rendered is at least as new as
        # the stamp it is stored under.
        stamps, row = read_stamps_and_thread(route.facts.pk if route else None, request.session)
        request._masthead_stamps = stamps
        if route is None or stamps is None or route.content_stamp != stamps.content:
            return None
        request._masthead_thread_row = (route.facts.pk, row)
        return serve_cached(request, route)
