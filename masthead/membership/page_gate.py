"""The article page's side of the gate: which blocks this request gets, and the anonymous reader's meter."""

from dataclasses import dataclass
from functools import cached_property

from masthead.articles.models import AccessLevel
from masthead.core.request_state import state_of
from masthead.membership.access import (
    Reader,
    Visibility,
    access_article,
    gate_policy,
    reader_for_request,
)
from masthead.membership.metering import Meter
from masthead.membership.models import GateMode, Tier
from masthead.membership.payments import get_backend


@dataclass
class ArticleReading:
    article: object
    visibility: Visibility
    reader: Reader
    soft_prompt: bool = False
    free_left: int | None = None
    policy_mode: str = GateMode.PAYWALL

    @property
    def is_gated(self) -> bool:
        """The reader sees the preview and then the gate."""
        return self.visibility != Visibility.ALL

    @cached_property
    def _split(self) -> tuple[list, list]:
        # Parsed only when the body is rendered: a body served from the cache costs no StreamField parsing.
        return self.article.split_body()

    @property
    def needs_payment(self) -> bool:
        """Only a paid tier lets a reader past the gate (a free membership would not): the gate must say so, and
        never offer the free sign-up as if it were the way in."""
        return self.policy_mode == GateMode.PAYWALL and self.article.access_level in (
            AccessLevel.PAID,
            AccessLevel.TIERS,
        )

    @cached_property
    def tiers_that_open_it(self) -> list:
        """The tiers a reader could take to read the article (the article's own, or every tier on offer)."""
        if self.article.access_level == AccessLevel.TIERS:
            return list(self.article.allowed_tiers.filter(is_active=True).order_by("monthly_price"))
        return list(Tier.objects.filter(is_active=True).order_by("monthly_price"))

    @property
    def payments_open(self) -> bool:
        """Whether a reader can pay for a tier now (the payment provider's keys are set)."""
        return get_backend().is_configured

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
        policy_mode=policy.mode,
    )
    if meter is not None:
        if visibility == Visibility.ALL:
            meter.record(article.pk)
        result.free_left = meter.free_left(policy.metered_free_articles)
    state.article_reading = (article.pk, result)
    state.meter = meter
    return result
