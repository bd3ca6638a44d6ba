"""The article page's side of the gate: which blocks this request gets, the meter, the body cache."""

import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from masthead.membership.access import (
    Reader,
    Visibility,
    access_article,
    gate_policy,
    reader_for_request,
)
from masthead.membership.metering import Meter


@dataclass
class ArticleReading:
    article: object
    visibility: Visibility
    reader: Reader
    soft_prompt: bool = False
    free_left: int | None = None

    @property
    def is_gated(self) -> bool:
        """The reader sees the preview and then the gate."""
        return self.visibility != Visibility.ALL

    @cached_property
    def _split(self) -> tuple[list, list]:
        # Parsed only when the body is rendered: a body served from the cache costs no StreamField parsing.
        return self.article.split_body()

    @property
    def preview_blocks(self) -> list:
        return self._split[0]

    @property
    def gated_blocks(self) -> list:
        # The gated blocks are handed to the template only when the reader may read them: what is not in the
        # context cannot end up in the response.
        return self._split[1] if self.visibility == Visibility.ALL else []


def article_reading(article, request) -> ArticleReading:
    """Decide once per request what this reader gets of the article; the template renders only that."""
    reading = getattr(request, "_masthead_article_reading", None)
    if reading is not None and reading[0] == article.pk:
        if reading[1].article is not article:
            # Decided on the article's cached facts (articles.page_cache); the same decision, with the page.
            reading[1].article = article
            reading[1].__dict__.pop("_split", None)
        return reading[1]
    reader = reader_for_request(request)
    policy = gate_policy(request)
    meter = None
    if policy.mode == "metered" and not reader.is_member and not reader.is_staff:
        meter = Meter.from_request(request)
    visibility = access_article(reader, article, policy=policy, meter=meter)
    result = ArticleReading(
        article=article,
        visibility=visibility,
        reader=reader,
        soft_prompt=policy.mode == "soft_prompt" and not reader.is_member,
    )
    if meter is not None:
        if visibility == Visibility.ALL:
            meter.record(article.pk)
        result.free_left = meter.free_left(policy.metered_free_articles)
    request._masthead_article_reading = (article.pk, result)
    request._masthead_meter = meter
    return result


def body_cache_key(article, reading: ArticleReading, policy) -> str | None:
    """The cache key of the article's body and gate as this kind of reader gets them; None when not cached.

    Only the body and the gate are cached, never the whole page: the rest (comment forms with their CSRF
    tokens, the staff bar) belongs to one reader. Everything the fragment depends on is in the key.
    """
    if not settings.MASTHEAD_ARTICLE_CACHE_SECONDS or reading.reader.is_staff:
        return None
    version = (
        f"{article.pk}:{article.live_revision_id}:{article.last_published_at}:"
        f"{policy.mode}:{policy.registration_wall_days}:{policy.metered_free_articles}:"
        f"{reading.visibility}:{reading.soft_prompt}:{reading.free_left}"
    )
    digest = hashlib.sha256(version.encode()).hexdigest()[:32]
    return f"masthead:article-body:{digest}:{reading.reader.access_class}"


def render_article_body(context) -> str:
    """The article body (what this reader may read) and the gate, from the cache when another reader of the
    same access class has had it already."""
    article, reading = context["page"], context["reading"]
    request = context.get("request")
    key = body_cache_key(article, reading, gate_policy(request))
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return mark_safe(cached)  # noqa: S308 - rendered by our own template below
    html = render_to_string("membership/article_body.html", context.flatten(), request=request)
    if key is not None:
        cache.set(key, str(html), timeout=settings.MASTHEAD_ARTICLE_CACHE_SECONDS)
    return html


def serve_article(article, request, serve):
    """Serve the article page, and keep the meter's cookie when the gate is metered."""
    response = serve()
    meter = getattr(request, "_masthead_meter", None)
    if meter is not None:
        meter.save(response)
    return response
