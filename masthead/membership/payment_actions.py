"""Paid subscriptions: checkout, and the payment provider's events applied once each.

Reader-facing writes of membership are in `actions`; this module raises its `MembershipError` so that views
answer both the same way.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from masthead.core.time import moment_from_timestamp
from masthead.membership.actions import MembershipError
from masthead.membership.models import (
    STATUSES_WITH_ACCESS,
    BillingInterval,
    Member,
    PaymentEvent,
    Subscription,
    SubscriptionStatus,
    Tier,
)
from masthead.membership.payments import get_backend
from masthead.membership.payments.base import InvalidWebhook


def check_checkout(*, member: Member, tier_slug: str, interval: str):
    """The tier to check out, or a MembershipError (400) naming what is wrong with the request."""
    if not get_backend().is_configured:
        raise MembershipError(_("Paid subscriptions are coming soon."), status=400, title=_("Not yet"))
    if interval not in BillingInterval.values:
        raise MembershipError(_("There is no billing period called %(interval)r: choose month or year.") % {"interval": interval})
    tier = Tier.objects.filter(slug=tier_slug, is_active=True).first()
    if tier is None:
        raise MembershipError(_("There is no tier called %(tier)r.") % {"tier": tier_slug})
    if not tier.stripe_price_id(interval):
        raise MembershipError(f"{tier.name} has no {BillingInterval(interval).label.lower()} price yet.")
    if member.subscriptions.filter(status__in=STATUSES_WITH_ACCESS).exists():
        raise MembershipError(
            _("You already have a subscription: change it from Manage your subscription."), status=409
        )
    return tier


def do_start_checkout(*, member: Member, tier, interval: str, success_url: str, cancel_url: str) -> str:
    return get_backend().create_checkout(
        member=member, tier=tier, interval=interval, success_url=success_url, cancel_url=cancel_url
    )


def do_apply_payment_event(*, event) -> bool:
    """Apply a verified provider event once. Returns False when it was seen before (and changes nothing);
    InvalidWebhook when a value in it is impossible (and nothing is kept)."""

    try:
        with transaction.atomic():
            PaymentEvent.objects.create(
                provider=event.provider, event_id=event.event_id, event_type=event.event_type
            )
            handler = _EVENT_HANDLERS.get(event.event_type)
            if handler is not None:
                handler(event)
    except IntegrityError:
        return False  # the unique (provider, event_id) row exists: a second delivery of the same event
    return True


def _timestamp(value):
    if not value:
        return None
    try:
        return moment_from_timestamp(value)
    except (TypeError, ValueError) as error:
        # Refused whole, so the event's row is rolled back with it and a corrected delivery is applied.
        raise InvalidWebhook(f"A time in the event is not a time: {error}") from error


def _subscription_for(provider_id: str, *, metadata: dict, event_created):
    """The subscription row, made from the metadata set at checkout when this is the first event about it."""
    subscription = (
        Subscription.objects.select_for_update().filter(provider_subscription_id=provider_id).first()
    )
    if subscription is not None:
        if subscription.last_event_at and event_created < subscription.last_event_at:
            return None  # an older event arriving late must not undo a newer one
        return subscription
    member = Member.objects.filter(pk=_int_or_none(metadata.get("member"))).first()
    tier = Tier.objects.filter(slug=metadata.get("tier", "")).first()
    interval = metadata.get("interval")
    if member is None or tier is None or interval not in BillingInterval.values:
        return None  # not one of ours (or made outside masthead): nothing to attach it to
    return Subscription(
        member=member,
        tier=tier,
        interval=interval,
        status=SubscriptionStatus.INCOMPLETE,
        provider_subscription_id=provider_id,
    )


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _on_checkout_completed(event) -> None:
    session = event.data
    metadata = session.get("metadata") or {}
    member = Member.objects.filter(
        pk=_int_or_none(session.get("client_reference_id") or metadata.get("member"))
    ).first()
    customer = session.get("customer")
    if member is not None and customer and member.stripe_customer_id != customer:
        member.stripe_customer_id = customer
        member.save(update_fields=["stripe_customer_id"])
    provider_id = session.get("subscription")
    if not provider_id:
        return
    subscription = _subscription_for(provider_id, metadata=metadata, event_created=event.created)
    if subscription is None:
        return
    if subscription.status == SubscriptionStatus.INCOMPLETE:
        subscription.status = SubscriptionStatus.ACTIVE
    subscription.last_event_at = event.created
    subscription.save()


def _on_subscription_changed(event) -> None:
    data = event.data
    subscription = _subscription_for(
        data.get("id", ""), metadata=data.get("metadata") or {}, event_created=event.created
    )
    if subscription is None:
        return
    status = data.get("status")
    if event.event_type == "customer.subscription.deleted":
        status = SubscriptionStatus.CANCELED
    if status in SubscriptionStatus.values:
        subscription.status = status
    subscription.cancel_at_period_end = bool(data.get("cancel_at_period_end"))
    items = (data.get("items") or {}).get("data") or []
    period_end = data.get("current_period_end") or (items[0].get("current_period_end") if items else None)
    if period_end:
        subscription.current_period_end = _timestamp(period_end)
    price_id = ((items[0].get("price") or {}).get("id") if items else None) or ""
    if price_id:
        # A plan change made in the portal moves the member to the tier that owns the new price.
        tier = Tier.objects.filter(models_q_price(price_id)).first()
        if tier is not None:
            subscription.tier = tier
            subscription.interval = "month" if tier.stripe_monthly_price_id == price_id else "year"
    subscription.last_event_at = event.created
    subscription.save()


def models_q_price(price_id: str):
    return Q(stripe_monthly_price_id=price_id) | Q(stripe_yearly_price_id=price_id)


def _on_payment_failed(event) -> None:
    invoice = event.data
    provider_id = invoice.get("subscription") or (
        ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    )
    subscription = (
        Subscription.objects.select_for_update().filter(provider_subscription_id=provider_id or "").first()
    )
    if subscription is None or (subscription.last_event_at and event.created < subscription.last_event_at):
        return
    if subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        subscription.status = SubscriptionStatus.PAST_DUE
        subscription.last_event_at = event.created
        subscription.save(update_fields=["status", "last_event_at", "updated_at"])


_EVENT_HANDLERS = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.updated": _on_subscription_changed,
    "customer.subscription.deleted": _on_subscription_changed,
    "invoice.payment_failed": _on_payment_failed,
}
