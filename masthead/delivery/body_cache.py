"""The article body and gate as one kind of reader gets them, cached: the part of the article page that costs
most to render (StreamField blocks, images), shared by every page of that article a reader of the kind gets.

Stale by the same rule as the page cache: keyed by the content stamp (any page, snippet, image or settings
change replaces it) and by what the gate decided for this kind of reader. Never for previews, nor for anyone
who reaches the admin: neither is ever read from, nor stored into, this cache.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from masthead.delivery.stamps import stamps_for_request
from masthead.membership.access import gate_policy


def body_cache_key(request, article, reading) -> str | None:
    """The cache key of the article's body and gate as this kind of reader gets them; None when not cached."""
    if not settings.MASTHEAD_ARTICLE_CACHE_SECONDS or reading.reader.is_staff:
        return None
    if request is None or getattr(request, "is_preview", False):
        return None
    stamps = stamps_for_request(request)
    if stamps is None:
        return None
    policy = gate_policy(request)
    version = (
        f"{stamps.content}:{article.pk}:{article.live_revision_id}:"
        f"{policy.mode}:{policy.registration_wall_days}:{policy.metered_free_articles}:"
        f"{reading.visibility}:{reading.soft_prompt}:{reading.free_left}:{request.get_host()}"
    )
    digest = hashlib.sha256(version.encode()).hexdigest()[:32]
    return f"masthead:article-body:{digest}:{reading.reader.access_class}"


def render_article_body(context) -> str:
    """The article body (what this reader may read) and the gate, from the cache when another reader of the
    same kind has had it already."""
    article, reading = context["page"], context["reading"]
    request = context.get("request")
    key = body_cache_key(request, article, reading)
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return mark_safe(cached)  # noqa: S308 - rendered by our own template below
    html = render_to_string("membership/article_body.html", context.flatten(), request=request)
    if key is not None:
        cache.set(key, str(html), timeout=settings.MASTHEAD_ARTICLE_CACHE_SECONDS)
    return html
