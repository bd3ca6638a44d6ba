"""The one decision every channel asks: what may this reader see of this article (all, a preview, or nothing)?

The article page, feeds, the JSON API, search, social and JSON-LD tags, e-mail and the page cache all call
`access_article`; none of them decides on its own.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Site

from masthead.articles.models import AccessLevel
from masthead.core.request_state import state_of
from masthead.core.time import local_today
from masthead.membership.metering import Meter
from masthead.membership.models import (
    STATUSES_WITH_ACCESS,
    ComplimentaryAccess,
    GateMode,
    GateSettings,
    Subscription,
    Tier,
)


class Visibility(models.TextChoices):
    ALL = "all", "The whole article"
    PREVIEW = "preview", "The preview, then the gate"
    NOTHING = "nothing", "Nothing"


@dataclass(frozen=True)
class Reader:
    """Who is reading, reduced to what the gate needs."""

    user_id: int | None = None
    is_staff: bool = False
    tier_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_member(self) -> bool:
        return self.user_id is not None

    @property
    def is_paid(self) -> bool:
        return bool(self.tier_ids)

    @property
    def access_class(self) -> str:
        """Readers in the same class see the same page; used to key anything cached per reader."""
        if self.is_staff:
            return "staff"
        if not self.is_member:
            return "anonymous"
        if not self.tier_ids:
            return "member"
        return "tiers-" + "-".join(str(tier_id) for tier_id in sorted(self.tier_ids))


ANONYMOUS = Reader()


def may_use_admin(user) -> bool:
    """Whether the user reaches the Wagtail admin: such a reader is staff to the gate (they read drafts in
    previews anyway) and to every cache, whatever their `is_staff` flag says (Wagtail's Editors and Moderators
    groups give admin access without it)."""
    return user.is_active and (user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


def reader_for_user(user, *, now: datetime | None = None) -> Reader:
    """The Reader for a user, with their paid tiers (subscriptions in good standing, complimentary access)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    if may_use_admin(user):
        return Reader(user_id=user.pk, is_staff=True)
    # The site's day (core.time.local_today), also for a given moment: access given "until" a date ends with it.
    today = timezone.localdate(now, timezone.get_default_timezone()) if now else local_today()
    return Reader(user_id=user.pk, tier_ids=paid_tier_ids(user, today))


def paid_tier_ids(user, today) -> frozenset[int]:
    return frozenset(
        Tier.objects.filter(
            Q(subscriptions__member__user=user, subscriptions__status__in=STATUSES_WITH_ACCESS)
            | Q(complimentary_access__member__user=user, complimentary_access__until__gte=today)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def readers_for_users(users, *, now: datetime | None = None) -> dict[int, Reader]:
    """`reader_for_user` for many users at once (a newsletter batch), by the same rules, in three queries however
    many users: who reaches the admin, then everyone's subscriptions and complimentary access."""
    users = [user for user in users if user is not None and user.is_active]
    ids = [user.pk for user in users]
    if not ids:
        return {}
    today = timezone.localdate(now, timezone.get_default_timezone()) if now else local_today()
    # Django's own question for "who has this permission" (superusers included), asked once for the batch.
    admin_ids = set(
        get_user_model()
        .objects.with_perm("wagtailadmin.access_admin", is_active=True, include_superusers=True)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    tiers: dict[int, set[int]] = defaultdict(set)
    paying = Subscription.objects.filter(member__user_id__in=ids, status__in=STATUSES_WITH_ACCESS)
    given = ComplimentaryAccess.objects.filter(member__user_id__in=ids, until__gte=today)
    for rows in (paying, given):
        for user_id, tier_id in rows.values_list("member__user_id", "tier_id"):
            tiers[user_id].add(tier_id)
    return {
        user.pk: Reader(user_id=user.pk, is_staff=True)
        if user.pk in admin_ids
        else Reader(user_id=user.pk, tier_ids=frozenset(tiers[user.pk]))
        for user in users
    }


def reader_for_request(request) -> Reader:
    """The request's reader, worked out once per request (the page layer may have found it already)."""
    state = state_of(request)
    if state.reader is None:
        state.reader = reader_for_user(getattr(request, "user", None))
    return state.reader


@dataclass(frozen=True)
class GatePolicy:
    """The site's gate settings as plain values, so that the decision needs no database."""

    mode: GateMode = GateMode.PAYWALL
    registration_wall_days: int = 30
    metered_free_articles: int = 3

    @classmethod
    def from_settings(cls, gate_settings) -> "GatePolicy":
        return cls(
            mode=GateMode(gate_settings.mode),  # a new row holds the enum member, a loaded one the plain string
            registration_wall_days=gate_settings.registration_wall_days,
            metered_free_articles=gate_settings.metered_free_articles,
        )

    @property
    def meters_anonymous_readers(self) -> bool:
        return self.mode == GateMode.METERED


def gate_policy(request=None) -> GatePolicy:
    """The gate settings of the request's site (once per request), or of the default site when there is no
    request (e-mail)."""
    if request is not None:
        state = state_of(request)
        if state.gate_policy is None:
            state.gate_policy = GatePolicy.from_settings(GateSettings.for_request(request))
        return state.gate_policy
    site = Site.objects.filter(is_default_site=True).first()
    return GatePolicy.from_settings(GateSettings.for_site(site)) if site else GatePolicy()


def reader_meets_level(reader: Reader, article) -> bool:
    """Whether the article's own access level lets this reader in (the paywall rule)."""
    level = article.access_level
    if level == AccessLevel.PUBLIC or reader.is_staff:
        return True
    if level == AccessLevel.MEMBERS:
        return reader.is_member
    if level == AccessLevel.PAID:
        return reader.is_paid
    if level == AccessLevel.TIERS:
        return bool(reader.tier_ids & article.allowed_tier_ids)
    return False  # an unknown level is closed, never open


def access_article(
    reader: Reader,
    article,
    *,
    policy: GatePolicy,
    meter=None,
    now: datetime | None = None,
) -> Visibility:
    """What `reader` may see of `article` under `policy`.

    `meter` is the anonymous reader's article meter (see metering.py); a channel without one (feeds, search,
    the API, e-mail) counts as a reader whose free articles are used up, so machines never get a free read.
    """
    if reader.is_staff:
        return Visibility.ALL  # editors read everything, drafts in preview included
    if not article.live:
        return Visibility.NOTHING
    mode = policy.mode
    if mode in (GateMode.OFF, GateMode.SOFT_PROMPT):
        return Visibility.ALL
    if mode == GateMode.REGISTRATION_WALL:
        if reader.is_member:
            return Visibility.ALL
        published = article.first_published_at or (now or timezone.now())
        cutoff = (now or timezone.now()) - timedelta(days=policy.registration_wall_days)
        return Visibility.ALL if published >= cutoff else Visibility.PREVIEW
    if mode == GateMode.METERED:
        if reader.is_member:
            return Visibility.ALL
        if meter is not None and meter.allows(article.pk, policy.metered_free_articles):
            return Visibility.ALL
        return Visibility.PREVIEW
    return Visibility.ALL if reader_meets_level(reader, article) else Visibility.PREVIEW


def is_free_to_everyone(article, policy: GatePolicy) -> bool:
    """Whether an anonymous reader with no free articles left sees it all (JSON-LD's isAccessibleForFree)."""
    return access_article(ANONYMOUS, article, policy=policy) == Visibility.ALL


class _ReadAlready:
    """A metered reader's meter that lets in only the articles already counted: channels other than the article
    page show what comes with a read (the discussion) without spending a free article."""

    def __init__(self, meter):
        self.meter = meter

    def allows(self, article_id: int, free_articles: int) -> bool:
        return str(article_id) in self.meter.reads


def visibility_for_request(request, article) -> Visibility:
    """What this request's reader may see of the article, outside the article page (which decides itself)."""
    reading = state_of(request).article_reading
    if reading is not None and reading[0] == article.pk:
        return reading[1].visibility  # the article page decided already, meter included
    reader, policy = reader_for_request(request), gate_policy(request)
    meter = None
    if policy.meters_anonymous_readers and not reader.is_member and not reader.is_staff:
        meter = _ReadAlready(Meter.from_request(request))
    return access_article(reader, article, policy=policy, meter=meter)


def may_read_discussion(request, article) -> bool:
    """Whether the reader may see the article's comments, or post, reply or vote there.

    A comment can quote any part of the article, so the discussion belongs to readers who may read all of it:
    every channel that shows comments (the article page, the thread page and its fragments, permalinks, the
    JSON API) and the write path ask this. Comment counts are shown to everyone.
    """
    return visibility_for_request(request, article) == Visibility.ALL
