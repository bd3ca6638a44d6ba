"""The article page's HTML cache: the whole page per kind of reader, each reader's own parts filled in per request.

One rule decides when a cached page is stale: it is stored under everything it depends on, so a change shows
at the next request. That is the content stamp (any page, snippet, image or settings change; receivers.py), the
thread's version (every comment, vote and moderation raises it), whether comments are open, their sort, and
what the gate decided for this kind of reader (access class, visibility, soft prompt, free articles left).
What belongs to one reader (the CSRF token, their own votes and comments) is filled in per request
(holes.personalise).

Never cached, nor served from the cache: anyone who reaches the Wagtail admin (superusers, Editors and
Moderators alike), previews (Wagtail serves them outside this path), pages with view restrictions, responses
holding a one-off notice, and HTML that carries a real CSRF token.

A request for a page already cached skips Wagtail's routing: `ArticlePageCacheMiddleware` finds the page by
its address (a route kept under the content stamp it was made under) and answers from the cache.
"""

import hashlib
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from wagtail.views import serve as wagtail_serve

from masthead.core.holes import split_at_holes
from masthead.core.i18n import use_language
from masthead.core.request_state import state_of
from masthead.core.time import local_today
from masthead.delivery.holes import holds_a_real_token, personalise
from masthead.delivery.stamps import (
    StampedMemo,
    Stamps,
    ThreadState,
    stamps_for_request,
    thread_state_for_request,
)
from masthead.discussion.models import DiscussionSettings
from masthead.discussion.thread_pages import chosen_sort
from masthead.membership.access import GatePolicy, reader_for_request, reader_for_user
from masthead.membership.models import GateSettings
from masthead.membership.page_gate import article_reading

ROUTE_SECONDS = 3600
# Signed-in readers as the gate sees them (tiers, admin access), under the membership stamp, which any change to
# a subscription, complimentary access, tier, group, permission or account replaces. Keyed by what Django's
# authentication read of the account on this very request, so a flag changed behind the signals still counts.
_readers = StampedMemo()
# The gate settings by host, under the content stamp, which settings saves replace.
_gate_policies = StampedMemo()


@dataclass(frozen=True)
class ArticleFacts:
    """What the gate needs of an article, kept with its route so that a cached page needs no page query."""

    pk: int
    live: bool
    first_published_at: datetime | None
    access_level: str
    allowed_tier_ids: frozenset[int]
    language: str

    @classmethod
    def of(cls, article) -> "ArticleFacts":
        return cls(
            pk=article.pk,
            live=article.live,
            first_published_at=article.first_published_at,
            access_level=article.access_level,
            allowed_tier_ids=article.allowed_tier_ids,
            language=article.language,
        )


@dataclass(frozen=True)
class Route:
    content_stamp: str
    facts: ArticleFacts


def cache_seconds() -> int:
    return settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS


# The shape of a kept route, in its key: a shared cache (Redis) outlives a deploy, and a route pickled by the
# previous release without a field this one reads would fail every request for its page until it expired.
ROUTE_SHAPE = hashlib.sha256(
    ",".join(f"{kind.__name__}.{field.name}" for kind in (Route, ArticleFacts) for field in fields(kind)).encode()
).hexdigest()[:8]


def route_key(request) -> str:
    return f"masthead:page-route:{ROUTE_SHAPE}:{request.get_host()}:{request.path}"


def know_the_reader(request, stamps: Stamps | None) -> None:
    """Find the request's reader and gate settings from what this process kept under the stamps, before the
    domain apps ask for them (membership.access then takes them from the request's state)."""
    if stamps is None:
        return
    state = state_of(request)
    user = request.user
    if state.reader is None and user.is_authenticated:
        key = (user.pk, user.is_active, user.is_staff, user.is_superuser, local_today())
        state.reader = _readers.get(stamps.membership, key, lambda: reader_for_user(user))
    if state.gate_policy is None:
        state.gate_policy = _gate_policies.get(
            stamps.content,
            request.get_host(),
            lambda: GatePolicy.from_settings(GateSettings.for_request(request)),
        )


def cacheable_request(request, stamps: Stamps | None) -> bool:
    if not cache_seconds() or stamps is None or request.method != "GET" or getattr(request, "is_preview", False):
        return False
    if any(name != "sort" for name in request.GET):
        return False
    know_the_reader(request, stamps)
    if reader_for_request(request).is_staff:  # anyone who reaches the admin
        return False
    # A one-off notice after a comment was posted belongs to this response only.
    return not request.session.get("discussion_notice")


def comments_open(request, facts: ArticleFacts, thread: ThreadState) -> bool:
    """Thread.is_open on the cached facts: closed by an editor, or automatically N days after publication."""
    if thread.is_closed:
        return False
    days = DiscussionSettings.current(request).close_after_days
    if not days or facts.first_published_at is None:
        return True
    return timezone.now() < facts.first_published_at + timedelta(days=days)


def page_key(request, facts: ArticleFacts, stamps: Stamps, thread: ThreadState, reading) -> str:
    parts = [
        facts.pk,
        stamps.content,
        thread.stamp,
        comments_open(request, facts, thread),
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


def _finish(response, request):
    patch_vary_headers(response, ("Cookie",))  # the page differs between signed-in and signed-out readers
    meter = state_of(request).meter
    if meter is not None:
        meter.save(response)
    return response


def serve_cached(request, route: Route, stamps: Stamps) -> HttpResponse | None:
    """The page from the cache, personalised for this reader; None when it is not cached for their kind."""
    if not cacheable_request(request, stamps):
        return None
    use_language(route.facts.language)  # as serving the page would (wagtail_hooks), for the key and the notices
    reading = article_reading(route.facts, request)
    thread = thread_state_for_request(request, route.facts.pk)
    entry = cache.get(page_key(request, route.facts, stamps, thread, reading))
    if entry is None:
        return None
    parts, shown = entry
    response = HttpResponse(personalise(parts, request, shown), content_type="text/html; charset=utf-8")
    return _finish(response, request)


def serve_article_page(article, request, serve) -> HttpResponse:
    """Serve the article page through the cache: render it (once per kind of reader and state), store the shared
    HTML, and personalise it for this reader."""
    state = state_of(request)
    stamps = stamps_for_request(request)
    key = None
    if cacheable_request(request, stamps):
        reading = article_reading(article, request)
        thread = thread_state_for_request(request, article.pk)
        key = page_key(request, ArticleFacts.of(article), stamps, thread, reading)
    state.shares_sections = True
    response = serve()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    html = response.content.decode(response.charset)
    parts = split_at_holes(html)
    if (
        key is not None
        and response.status_code == 200
        and not state.one_off
        and not holds_a_real_token(html)
        and not article.get_view_restrictions().exists()
    ):
        cache.set(key, (parts, state.shown_comments), cache_seconds())
        cache.set(route_key(request), Route(stamps.content, ArticleFacts.of(article)), ROUTE_SECONDS)
    response.content = personalise(parts, request, state.shown_comments).encode(response.charset)
    return _finish(response, request)


class ArticlePageCacheMiddleware:
    """Answers requests for cached article pages before Wagtail routes them (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_serve or request.method != "GET" or not cache_seconds():
            return None
        # Read before routing even when nothing is cached yet: the page then rendered is at least as new as
        # the stamp it is stored under.
        route = cache.get(route_key(request))
        stamps = stamps_for_request(request, route.facts.pk if route else None)
        if route is None or stamps is None or route.content_stamp != stamps.content:
            return None
        return serve_cached(request, route, stamps)
