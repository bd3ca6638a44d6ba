"""Carrying out one Send: list its recipients once (a Delivery row each, unique per send and member), then mail
them in batches, each row marked sent only after the mail backend accepted its message.

Running this twice, or in two workers at once, sends nothing twice: a worker claims a batch with a conditional
UPDATE, and only rows still queued can be claimed. Each worker keeps MASTHEAD_NEWSLETTER_CONNECTIONS connections
open, one thread each, at most MASTHEAD_NEWSLETTER_RATE messages per second between them. A row is marked sent
the moment its message is accepted (one UPDATE by primary key, the only write per message), so a worker killed
mid-batch leaves at most one message per connection whose fate is unknown: after MASTHEAD_NEWSLETTER_CLAIM_MINUTES
its claim goes back to the queue, that message may arrive twice, and the send counts it in `possible_duplicates`.
A mail server that refuses or goes away pauses the send (status "retrying", with its answer and `retry_at`).
"""

import secrets
import smtplib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, connections, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from masthead.membership.access import readers_for_users
from masthead.newsletters.audience import in_segment
from masthead.newsletters.compose import Composer, composer_for
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
    retry_at: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, count in counts.items():
                setattr(self, name, getattr(self, name) + count)

    def as_dict(self) -> dict:
        return {
            "listed": self.listed,
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
            "retrying": self.retrying,
            "paused": self.paused,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


class Throttle:
    """At most `rate` messages per second among the threads of one process; 0 lets them go as fast as they can."""

    def __init__(self, rate: float):
        self.interval = 1 / rate if rate > 0 else 0.0
        self.next_slot = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(self.next_slot, now)
            self.next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def backoff(attempts: int) -> timedelta:
    """MASTHEAD_NEWSLETTER_BACKOFF_SECONDS (60) after the first failure, doubled after each one in a row, at most
    MASTHEAD_NEWSLETTER_BACKOFF_MAX_SECONDS (an hour)."""
    seconds = settings.MASTHEAD_NEWSLETTER_BACKOFF_SECONDS * 2 ** max(0, min(attempts, 20) - 1)
    return timedelta(seconds=min(settings.MASTHEAD_NEWSLETTER_BACKOFF_MAX_SECONDS, seconds))


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
    # The editor's choice for this send (everyone, free or paying members), by the gate's rules.
    member_ids = in_segment(member_ids, send.segment)
    _insert_deliveries(send, member_ids)
    now = timezone.now()
    Send.objects.filter(pk=send.pk, recipients_listed_at__isnull=True).update(recipients_listed_at=now)
    # A send an editor paused meanwhile stays paused.
    Send.objects.filter(pk=send.pk, status=SendStatus.QUEUED).update(status=SendStatus.SENDING)
    send.recipients_listed_at = now
    return len(member_ids)


def _insert_deliveries(send: Send, member_ids: list[int]) -> None:
    """A queued Delivery row per member, in one prepared statement run over the list: a hundred thousand rows in
    a second or two, where bulk_create spends longer building its SQL than the database inserting. A second worker
    listing at the same moment writes the same rows; the unique constraint keeps one of each (ON CONFLICT, in both
    SQLite and PostgreSQL)."""
    table, quote = Delivery._meta.db_table, connection.ops.quote_name
    names = ("send_id", "member_id", "status", "attempts", "last_error", "claim", "message_id")
    columns = ", ".join(quote(name) for name in names)
    sql = f"INSERT INTO {quote(table)} ({columns}) VALUES (%s, %s, %s, 0, '', '', '') ON CONFLICT DO NOTHING"
    queued = DeliveryStatus.QUEUED.value
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(member_ids), 5000):
            cursor.executemany(sql, [(send.pk, member_id, queued) for member_id in member_ids[start : start + 5000]])


def release_stale_claims(send: Send) -> int:
    """Put back in the queue the batches of workers that died (claimed longer ago than the claim limit).

    A batch is sent in primary-key order and each row is marked the moment it leaves, so of a dead worker's claim
    only its first unsent row can have been in flight: one possible duplicate per claim, counted on the send.
    """
    stale = timezone.now() - timedelta(minutes=settings.MASTHEAD_NEWSLETTER_CLAIM_MINUTES)
    claimed = Delivery.objects.filter(send=send, status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    in_flight = list(claimed.values("claim").annotate(first=Min("pk")).values_list("first", flat=True))
    if not in_flight:
        return 0
    Delivery.objects.filter(pk__in=in_flight, status=DeliveryStatus.SENDING).update(
        last_error="Possibly delivered already: it was in flight when its worker stopped."
    )
    released = claimed.update(status=DeliveryStatus.QUEUED, claim="")
    Send.objects.filter(pk=send.pk).update(possible_duplicates=F("possible_duplicates") + len(in_flight))
    return released


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


def mark_sent(delivery_id: int, *, message_id: str = "") -> None:
    """The one write per message, the moment the server accepted it: a prepared UPDATE by primary key (the ORM
    would spend more time building the statement than the database running it). Its claim stays, unused."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, message_id = %s WHERE id = %s AND status = %s",
            [DeliveryStatus.SENT.value, timezone.now(), message_id, delivery_id, DeliveryStatus.SENDING.value],
        )


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
            status=SendStatus.DONE, finished_at=timezone.now(), retry_at=None
        )


def run_send(send: Send) -> SendReport:
    """Send what is due of `send`, batch after batch, until nothing is due or the mail server fails us.

    When the server failed, the report says when to try again (`retry_at`); the caller schedules that run.
    """
    report = SendReport(listed=list_recipients(send))
    send.refresh_from_db(fields=["status", "retry_at", "server_failures"])
    if send.retry_at is not None and send.retry_at > timezone.now():
        # Waiting out a backoff: the run enqueued for retry_at when the server failed goes on then.
        report.paused = True
        return report
    release_stale_claims(send)
    composer = composer_for(send)
    if composer is None:
        # Deleted, unpublished or given a view restriction before its send finished: what is left is not sent.
        Delivery.objects.filter(send=send, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SKIPPED, last_error="What it mails is no longer published for everyone."
        )
        _finish_if_done(send)
        return report
    run = _Run(send, composer, report)
    count = max(1, settings.MASTHEAD_NEWSLETTER_CONNECTIONS)
    if count == 1:
        run.loop()
    else:
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix=f"send-{send.pk}") as pool:
            for future in [pool.submit(run.threaded_loop) for _ in range(count)]:
                future.result()
    if run.error is not None:
        _wait_for_server(send, run.error, report)
    else:
        if send.server_failures or send.status == SendStatus.RETRYING:
            Send.objects.filter(pk=send.pk, status=SendStatus.RETRYING).update(status=SendStatus.SENDING)
            Send.objects.filter(pk=send.pk).update(server_failures=0, retry_at=None)
        _finish_if_done(send)
    return report


def _wait_for_server(send: Send, error: Exception, report: SendReport) -> None:
    """The server refused or went away: the send waits, with its answer, and says when it tries again."""
    failures = send.server_failures + 1
    report.paused, report.retry_at = True, timezone.now() + backoff(failures)
    Send.objects.filter(pk=send.pk).exclude(status__in=[SendStatus.DONE, SendStatus.PAUSED]).update(
        status=SendStatus.RETRYING, server_failures=failures, retry_at=report.retry_at, last_error=str(error)[:1000]
    )


def is_paused_by_editor(send: Send) -> bool:
    return Send.objects.filter(pk=send.pk, status=SendStatus.PAUSED).exists()


class _Run:
    """One worker's part of a send: each connection (thread) claims batches and sends them until none is left or
    the server fails; then the others stop after the message they are sending."""

    def __init__(self, send: Send, composer: Composer, report: SendReport):
        self.send, self.composer, self.report = send, composer, report
        self.throttle = Throttle(settings.MASTHEAD_NEWSLETTER_RATE)
        self.stop = threading.Event()
        self.error: Exception | None = None

    def threaded_loop(self) -> None:
        try:
            self.loop()
        finally:
            connections.close_all()  # this thread's database connections

    def loop(self) -> None:
        connection = None
        try:
            while not self.stop.is_set():
                if is_paused_by_editor(self.send):  # checked before each batch: a paused send claims nothing new
                    return
                batch = claim_batch(self.send, settings.MASTHEAD_NEWSLETTER_BATCH_SIZE)
                if not batch:
                    return
                if connection is None:
                    connection = get_connection()
                    try:
                        connection.open()
                    except Exception as error:  # refused, DNS, TLS: nothing was sent, the batch waits
                        _give_back(batch)
                        self._server_failed(error)
                        return
                self._send_batch(connection, batch)
        finally:
            if connection is not None:
                try:
                    connection.close()
                except Exception:  # a connection that died already cannot be closed politely; nothing is lost
                    pass

    def _server_failed(self, error: Exception) -> None:
        self.error = error
        self.report.paused = True
        self.stop.set()

    def _send_batch(self, connection, batch: list[Delivery]) -> None:
        send, report = self.send, self.report
        subscriptions = {
            subscription.member_id: subscription
            for subscription in NewsletterSubscription.objects.filter(
                newsletter_id=send.newsletter_id, member_id__in=[delivery.member_id for delivery in batch]
            )
        }
        # Who may read what, for the whole batch in a fixed number of queries (membership.access's rules).
        readers = readers_for_users([delivery.member.user for delivery in batch])
        for position, delivery in enumerate(batch):
            if self.stop.is_set():
                _give_back(batch[position:])
                return
            subscription = subscriptions.get(delivery.member_id)
            user = delivery.member.user
            if subscription is None or subscription.state != SubscriptionState.SUBSCRIBED or not user.is_active:
                _mark(delivery, status=DeliveryStatus.SKIPPED, claim="")
                report.add(skipped=1)
                continue
            message = prepare_message(
                self.composer.message_for(reader=readers[user.pk], email=user.email, subscription=subscription)
            )
            self.throttle.wait()
            try:
                accepted = connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as error:
                # The server refused this address: that is its answer for good, and the others go on.
                _failed(delivery, error, permanent=True)
                report.add(failed=1)
                continue
            except Exception as error:  # any backend's failure (SMTP, socket, a provider's API): pause the send
                self._lost_in_flight(batch[position:], error)
                return
            if accepted:
                mark_sent(delivery.pk, message_id=message_id_of(message))
                report.add(sent=1)
            else:
                _failed(delivery, Exception("The mail backend did not accept the message."), permanent=False)
                report.add(retrying=1)

    def _lost_in_flight(self, remaining: list[Delivery], error: Exception) -> None:
        """The server failed while a message was on its way: it counts one attempt (and waits its backoff) and
        may have arrived (a possible duplicate); the rest of the batch goes back to the queue untried."""
        first, rest = remaining[0], remaining[1:]
        outcome = _failed(first, error, permanent=False)
        self.report.add(**{"failed" if outcome == DeliveryStatus.FAILED else "retrying": 1})
        Send.objects.filter(pk=self.send.pk).update(possible_duplicates=F("possible_duplicates") + 1)
        _give_back(rest)
        self._server_failed(error)
