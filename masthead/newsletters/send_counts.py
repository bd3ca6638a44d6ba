"""What a send's page shows: its messages by state, and what its recipients did since (unsubscribed, or
suppressed as bounced or complained), in a fixed number of queries however many sends or recipients."""

from collections import defaultdict

from django.db.models import Count, OuterRef, Subquery

from masthead.newsletters.models import Delivery, DeliveryStatus, NewsletterSubscription, Send, SubscriptionState

AFTER = {
    SubscriptionState.UNSUBSCRIBED: "unsubscribed",
    SubscriptionState.BOUNCED: "bounced",
    SubscriptionState.COMPLAINED: "complained",
}


def _empty() -> dict:
    return {"total": 0, "queued": 0, "sent": 0, "failed": 0, "skipped": 0,
            "unsubscribed": 0, "bounced": 0, "complained": 0, "done_percent": 0}


def counts_for_sends(sends: list[Send]) -> dict[int, dict]:
    counts = defaultdict(_empty)
    ids = [send.pk for send in sends]
    rows = Delivery.objects.filter(send_id__in=ids).values("send_id", "status").annotate(n=Count("pk"))
    for row in rows:
        entry = counts[row["send_id"]]
        entry["total"] += row["n"]
        if row["status"] in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING):
            entry["queued"] += row["n"]
        else:
            entry[row["status"]] += row["n"]
    # A recipient's subscription to the send's newsletter, changed after the send started: what they did since.
    state_since = NewsletterSubscription.objects.filter(
        member_id=OuterRef("member_id"),
        newsletter_id=OuterRef("send__newsletter_id"),
        state_changed_at__gte=OuterRef("send__created_at"),
    ).values("state")[:1]
    after = (
        Delivery.objects.filter(send_id__in=ids)
        .annotate(state_since=Subquery(state_since))
        .filter(state_since__in=list(AFTER))
        .values("send_id", "state_since")
        .annotate(n=Count("pk"))
    )
    for row in after:
        counts[row["send_id"]][AFTER[row["state_since"]]] += row["n"]
    for send_id in ids:
        entry = counts[send_id]
        finished = entry["total"] - entry["queued"]
        entry["done_percent"] = round(100 * finished / entry["total"]) if entry["total"] else 0
    return counts


def counts_for(send: Send) -> dict:
    return counts_for_sends([send])[send.pk]
