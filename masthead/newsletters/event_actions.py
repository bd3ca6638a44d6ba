"""Acting on what the mail provider reports through its webhook (anymail's tracking signal, receivers.py): a hard
bounce or a complaint suppresses the address at once, soft bounces after MASTHEAD_NEWSLETTER_SOFT_BOUNCE_LIMIT
messages, an unsubscribe at the provider unsubscribes here. The Delivery the report is about is found by the
message id the backend gave it, and marked bounced or complained."""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from masthead.membership.actions import member_for_email
from masthead.membership.models import Member
from masthead.newsletters.models import (
    Delivery,
    DeliveryStatus,
    NewsletterSubscription,
    ProviderEvent,
    ProviderEventKind,
    SubscriptionState,
)

SUPPRESSING = {
    ProviderEventKind.HARD_BOUNCE: SubscriptionState.BOUNCED,
    ProviderEventKind.SOFT_BOUNCE: SubscriptionState.BOUNCED,
    ProviderEventKind.COMPLAINT: SubscriptionState.COMPLAINED,
}
DELIVERY_STATUS = {
    ProviderEventKind.HARD_BOUNCE: DeliveryStatus.BOUNCED,
    ProviderEventKind.COMPLAINT: DeliveryStatus.COMPLAINED,
}


def soft_bounce_count(member: Member) -> int:
    """Messages that soft-bounced since the last one the provider reported delivered (those events are dropped
    then) and since the member last subscribed (a suppressed address that subscribes again starts afresh): a
    message the provider retries and reports three times counts once."""
    events = ProviderEvent.objects.filter(member=member, kind=ProviderEventKind.SOFT_BOUNCE)
    last_subscribed = member.newsletter_subscriptions.aggregate(last=Max("subscribed_at"))["last"]
    if last_subscribed is not None:
        events = events.filter(received_at__gte=last_subscribed)
    with_id = events.exclude(message_id="").values("message_id").distinct().count()
    return with_id + events.filter(message_id="").count()


def do_record_provider_event(
    *,
    provider: str,
    kind: str,
    email: str,
    message_id: str = "",
    event_id: str = "",
    description: str = "",
    occurred_at: datetime | None = None,
) -> ProviderEvent | None:
    """Record the report and act on it, once per provider event id (providers retry their webhooks); None when
    there was nothing to record (a retry, or a delivery report)."""
    email = email.strip()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_related("send", "member").filter(message_id=message_id).first()
            if message_id
            else None
        )
        member = delivery.member if delivery is not None else member_for_email(email) if email else None
        if kind == ProviderEventKind.DELIVERED:
            if member is not None:
                ProviderEvent.objects.filter(member=member, kind=ProviderEventKind.SOFT_BOUNCE).delete()
            return None
        try:
            with transaction.atomic():
                event = ProviderEvent.objects.create(
                    kind=kind,
                    email=email or (member.user.email if member else ""),
                    member=member,
                    delivery=delivery,
                    provider=provider[:30],
                    event_id=event_id[:255],
                    message_id=message_id,
                    description=description[:2000],
                    occurred_at=occurred_at or timezone.now(),
                )
        except IntegrityError:  # the provider sent this event before
            return None
        if delivery is not None and kind in DELIVERY_STATUS:
            Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).update(
                status=DELIVERY_STATUS[kind], last_error=description[:1000]
            )
        if member is not None:
            _apply(kind, member=member, delivery=delivery)
    return event


def _apply(kind: str, *, member: Member, delivery: Delivery | None) -> None:
    now = timezone.now()
    subscriptions = NewsletterSubscription.objects.filter(member=member)
    if kind == ProviderEventKind.UNSUBSCRIBE:
        # From the newsletter the message came from; without it (an address-wide unsubscribe), from all.
        if delivery is not None:
            subscriptions = subscriptions.filter(newsletter_id=delivery.send.newsletter_id)
        subscriptions.filter(state=SubscriptionState.SUBSCRIBED).update(
            state=SubscriptionState.UNSUBSCRIBED, state_changed_at=now
        )
        return
    if (
        kind == ProviderEventKind.SOFT_BOUNCE
        and soft_bounce_count(member) < settings.MASTHEAD_NEWSLETTER_SOFT_BOUNCE_LIMIT
    ):
        return
    # A bounce or complaint is about the address, so every newsletter stops; a suppression also replaces an
    # unsubscribe (it says more), while an earlier suppression stays as it was.
    subscriptions.filter(state__in=[SubscriptionState.SUBSCRIBED, SubscriptionState.UNSUBSCRIBED]).update(
        state=SUPPRESSING[kind], state_changed_at=now
    )
