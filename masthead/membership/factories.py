"""Test factories for membership: tiers, members, subscriptions, complimentary access, signed events."""

import json
import time
from datetime import timedelta
from decimal import Decimal

import factory
import stripe
from django.utils import timezone

from masthead.accounts.factories import UserFactory
from masthead.membership.models import (
    BillingInterval,
    ComplimentaryAccess,
    Member,
    Subscription,
    SubscriptionStatus,
    Tier,
)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tier {n}")
    slug = factory.Sequence(lambda n: f"tier-{n}")
    description = "Everything we publish."
    benefits = "The whole archive\nThe weekly briefing"
    currency = "EUR"
    monthly_price = Decimal("8.00")
    yearly_price = Decimal("80.00")
    stripe_monthly_price_id = factory.LazyAttribute(lambda tier: f"price_{tier.slug}_month")
    stripe_yearly_price_id = factory.LazyAttribute(lambda tier: f"price_{tier.slug}_year")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    member = factory.SubFactory(MemberFactory)
    tier = factory.SubFactory(TierFactory)
    interval = BillingInterval.MONTH
    status = SubscriptionStatus.ACTIVE
    provider_subscription_id = factory.Sequence(lambda n: f"sub_test_{n}")
    current_period_end = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class ComplimentaryAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplimentaryAccess

    member = factory.SubFactory(MemberFactory)
    tier = factory.SubFactory(TierFactory)
    until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))


def member_with_tier(tier: Tier | None = None) -> Member:
    member = MemberFactory()
    if tier is not None:
        SubscriptionFactory(member=member, tier=tier)
    return member


_event_counter = iter(range(1, 10**9))


def signed_event(
    event_type: str, data: dict, *, secret: str, event_id: str | None = None, created=None, timestamp=None
):
    """A webhook body and its Stripe-Signature header, signed offline with the library's own scheme."""
    event = {
        "id": event_id or f"evt_test_{next(_event_counter)}",
        "object": "event",
        "type": event_type,
        "created": int(created if created is not None else time.time()),
        "data": {"object": data},
    }
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return payload, header
