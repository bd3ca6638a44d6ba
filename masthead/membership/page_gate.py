"""The article page's side of the gate: which blocks this request gets, and the anonymous reader's meter."""

from dataclasses import dataclass
from functools import cached_property

from masthead.core.request_state import state_of
from masthead.membership.access import (
    Reader,
    Visibility,
    access_article,
    gate_policy,
    reader_for_request,
)
from masthead.membership.metering import Meter
from masthead.membership.models import GateMode


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
    state = state_of(request)
    reading = state.article_reading
    if reading is not None and reading[0] == article.pk:
        if reading[1].article is not article:
            # Decided on the article's cached facts (delivery.page_cache); the same decision, with the page.
            reading[1].article = article
            reading[1].__dict__.pop("_split", None)
        return reading[1]
    reader = reader_for_request(request)
    policy = gate_policy(request)
    meter = None
    if policy.meters_anonymous_readers and not reader.is_member and not reader.is_staff:
        meter = Meter.from_request(request)
    visibility = access_article(reader, article, policy=policy, meter=meter)
    result = ArticleReading(
        article=article,
        visibility=visibility,
        reader=reader,
        soft_prompt=policy.mode == GateMode.SOFT_PROMPT and not reader.is_member,
    )
    if meter is not None:
        if visibility == Visibility.ALL:
            meter.record(article.pk)
        result.free_left = meter.free_left(policy.metered_free_articles)
    state.article_reading = (article.pk, result)
    state.meter = meter
    return result
