"""Carrying out one Send: list its recipients once (a Delivery row each, unique per send and member), then mail
them in batches, each row marked sent only after the mail backend accepted its message.

Running this twice, or in two workers at once, sends nothing twice: a worker claims a batch with a conditional
UPDATE, and only rows still queued can be claimed. A worker killed mid-batch leaves its claim behind; after
MASTHEAD_NEWSLETTER_CLAIM_MINUTES the rows go back to the queue, so a message in flight at the moment of the kill
may arrive twice, and nothing is lost.
"""

import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Q
from django.utils import timezone

from masthead.articles.models import ArticlePage
from masthead.membership.access import readers_for_users
from masthead.newsletters.compose import ArticleComposer
from masthead.newsletters.mail_provider import message_id_of, prepare_message
from masthead.newsletters.models import (
    Audience,
    Delivery,
    DeliveryStatus,
    Newsletter,
    NewsletterSubscription,
    Send,
    SendStatus,
    SubscriptionState,
)


@dataclass
class SendReport:
    listed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retrying: int = 0
    paused: bool = False


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def list_recipients(send: Send) -> int:
    """A Delivery row for every member subscribed when the send starts; later calls add nobody."""
    if send.recipients_listed_at is not None:
        return 0
    newsletter = Newsletter.objects.prefetch_related("tiers").get(pk=send.newsletter_id)
    subscriptions = NewsletterSubscription.objects.subscribed().filter(newsletter=newsletter)
    if newsletter.audience == Audience.EVERYONE:
        member_ids = list(subscriptions.values_list("member_id", flat=True))
    else:
        listed = list(subscriptions.select_related("member__user"))
        readers = readers_for_users([subscription.member.user for subscription in listed])
        member_ids = [
            subscription.member_id
            for subscription in listed
            if newsletter.is_open_to(readers[subscription.member.user_id].tier_ids)
        ]
    rows = [Delivery(send=send, member_id=member_id) for member_id in member_ids]
    # A second worker listing at the same moment writes the same rows; the unique constraint keeps one of each.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    now = timezone.now()
    Send.objects.filter(pk=send.pk, recipients_listed_at__isnull=True).update(
        recipients_listed_at=now, status=SendStatus.SENDING
    )
    send.recipients_listed_at, send.status = now, SendStatus.SENDING
    return len(rows)


def release_stale_claims(send: Send) -> int:
    stale = timezone.now() - timedelta(minutes=settings.MASTHEAD_NEWSLETTER_CLAIM_MINUTES)
    return Delivery.objects.filter(send=send, status=DeliveryStatus.SENDING, claimed_at__lt=stale).update(
        status=DeliveryStatus.QUEUED, claim=""
    )


def claim_batch(send: Send, size: int) -> list[Delivery]:
    now = timezone.now()
    claim = secrets.token_hex(16)
    due = Delivery.objects.filter(send=send, status=DeliveryStatus.QUEUED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:size])
    if not ids:
        return []
    # Only rows still queued are taken: another worker's claim on the same rows wins, and they are not sent here.
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING, claim=claim, claimed_at=now
    )
    return list(
        Delivery.objects.filter(claim=claim, status=DeliveryStatus.SENDING)
        .select_related("member__user")
        .order_by("pk")
    )


def _mark(delivery: Delivery, **fields) -> None:
    for name, value in fields.items():
        setattr(delivery, name, value)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def _give_back(deliveries: list[Delivery]) -> None:
    """Return claimed rows untouched to the queue (the server went away before they were tried)."""
    Delivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries], status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.QUEUED, claim=""
    )


def _failed(delivery: Delivery, error: Exception, *, permanent: bool) -> str:
    attempts = delivery.attempts + 1
    if permanent or attempts >= settings.MASTHEAD_NEWSLETTER_MAX_ATTEMPTS:
        _mark(delivery, status=DeliveryStatus.FAILED, attempts=attempts, last_error=str(error)[:1000], claim="")
        return DeliveryStatus.FAILED
    _mark(
        delivery,
        status=DeliveryStatus.QUEUED,
        attempts=attempts,
        last_error=str(error)[:1000],
        claim="",
        next_attempt_at=timezone.now() + backoff(attempts),
    )
    return DeliveryStatus.QUEUED


def _finish_if_done(send: Send) -> None:
    pending = Delivery.objects.filter(send=send, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING])
    if not pending.exists():
        Send.objects.filter(pk=send.pk).exclude(status=SendStatus.DONE).update(
            status=SendStatus.DONE, finished_at=timezone.now()
        )


def run_send(send: Send) -> SendReport:
    """Send what is due of `send`, batch after batch, until nothing is due or the mail server fails us."""
    report = SendReport(listed=list_recipients(send))
    release_stale_claims(send)
    article = ArticlePage.objects.live().public().filter(pk=send.article_id).first()
    if article is None:
        # Deleted, unpublished or given a view restriction before its send finished: what is left is not sent.
        Delivery.objects.filter(send=send, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SKIPPED, last_error="The article is no longer published for everyone."
        )
        _finish_if_done(send)
        return report
    composer = ArticleComposer(newsletter=send.newsletter, article=article, subject=send.subject)
    while not report.paused:
        batch = claim_batch(send, settings.MASTHEAD_NEWSLETTER_BATCH_SIZE)
        if not batch:
            break
        _send_batch(send, batch, composer, report)
    _finish_if_done(send)
    return report


def _send_batch(send: Send, batch: list[Delivery], composer: ArticleComposer, report: SendReport) -> None:
    subscriptions = {
        subscription.member_id: subscription
        for subscription in NewsletterSubscription.objects.filter(
            newsletter=send.newsletter, member_id__in=[delivery.member_id for delivery in batch]
        )
    }
    # Who may read what, for the whole batch in a fixed number of queries (membership.access's rules).
    readers = readers_for_users([delivery.member.user for delivery in batch])
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the backend could not connect (refused, DNS, TLS): try the batch later
        _pause(batch, error, report)
        return
    try:
        for position, delivery in enumerate(batch):
            subscription = subscriptions.get(delivery.member_id)
            user = delivery.member.user
            if subscription is None or subscription.state != SubscriptionState.SUBSCRIBED or not user.is_active:
                _mark(delivery, status=DeliveryStatus.SKIPPED, claim="")
                report.skipped += 1
                continue
            message = prepare_message(
                composer.message_for(reader=readers[user.pk], email=user.email, subscription=subscription)
            )
            try:
                accepted = connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as error:
                # The server refused this address: that is its answer for good, and the others go on.
                _failed(delivery, error, permanent=True)
                report.failed += 1
                continue
            except Exception as error:  # any backend's failure (SMTP, socket, a provider's API): pause the send
                _pause(batch[position:], error, report)
                return
            if accepted:
                _mark(
                    delivery,
                    status=DeliveryStatus.SENT,
                    sent_at=timezone.now(),
                    claim="",
                    last_error="",
                    message_id=message_id_of(message),
                )
                report.sent += 1
            else:
                _failed(delivery, Exception("The mail backend did not accept the message."), permanent=False)
                report.retrying += 1
    finally:
        try:
            connection.close()
        except Exception:  # a connection that died already cannot be closed politely; nothing is lost
            pass


def _pause(remaining: list[Delivery], error: Exception, report: SendReport) -> None:
    """The mail server failed: the message being sent counts one attempt (and waits its backoff), the rest go
    back to the queue untried. The periodic resume task picks the send up again."""
    first, rest = remaining[0], remaining[1:]
    if _failed(first, error, permanent=False) == DeliveryStatus.FAILED:
        report.failed += 1
    else:
        report.retrying += 1
    _give_back(rest)
    report.paused = True
