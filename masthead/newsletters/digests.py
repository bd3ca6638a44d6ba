"""Daily and weekly digests: at each newsletter's set local time (settings.TIME_ZONE) and, for a weekly one, its
day, one message with the articles first published since the last digest; none published, nothing sent.

`queue_due_digests` runs from the scheduler every minute (MASTHEAD_PERIODIC_TASKS). Each digest is a Send with
a period key (the slot's local date), unique per newsletter, so two schedulers, a retry or a task enqueued twice
write one row, and it is mailed by the same batched, never-twice sending as each new article.
"""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from masthead.articles.models import ArticlePage
from masthead.core.time import local_date
from masthead.newsletters.models import Cadence, Newsletter, Send, SendKind
from masthead.newsletters.tasks import send_newsletter

PERIODS = {Cadence.DAILY: timedelta(days=1), Cadence.WEEKLY: timedelta(days=7)}


def latest_slot(newsletter: Newsletter, now: datetime) -> datetime | None:
    """The newsletter's last set moment at or before `now` (aware), or None if it has no digest cadence."""
    if newsletter.cadence not in PERIODS or newsletter.send_time is None:
        return None
    if newsletter.cadence == Cadence.WEEKLY and newsletter.send_weekday is None:
        return None
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now, zone).date()
    for days_back in range(8):
        day = today - timedelta(days=days_back)
        if newsletter.cadence == Cadence.WEEKLY and day.weekday() != newsletter.send_weekday:
            continue
        slot = timezone.make_aware(datetime.combine(day, newsletter.send_time), zone)
        if slot <= now:
            return slot
    return None


def period_for(newsletter: Newsletter, slot: datetime) -> tuple[datetime, datetime]:
    """(start, end] of the digest due at `slot`: from the end of the last digest sent (at most two periods back,
    so a scheduler that was down loses nothing), or one period back for the first."""
    period = PERIODS[newsletter.cadence]
    last_end = (
        Send.objects.filter(newsletter=newsletter, kind=SendKind.DIGEST, period_end__lt=slot)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    start = max(last_end, slot - 2 * period) if last_end else slot - period
    return start, slot


def digest_subject(newsletter: Newsletter, slot: datetime) -> str:
    """The newsletter's name and the digest's day, written in the newsletter's language."""
    local_day = timezone.localtime(slot, timezone.get_default_timezone()).date()
    with translation.override(newsletter.language):
        return _("%(newsletter)s, %(day)s") % {"newsletter": newsletter.name, "day": local_date(local_day)}


def do_queue_digest(*, newsletter: Newsletter, now: datetime | None = None) -> Send | None:
    """The digest due now for `newsletter`, written once and its task started after the commit; None when it is
    not due, was written already, or has no article."""
    now = now or timezone.now()
    slot = latest_slot(newsletter, now)
    late = timedelta(hours=settings.MASTHEAD_NEWSLETTER_DIGEST_LATE_HOURS)
    # A slot from before the newsletter existed, or long past (the scheduler was down): not sent late; the next
    # digest starts where the last one sent ended.
    if slot is None or slot < newsletter.created_at or now - slot > late:
        return None
    period_key = timezone.localtime(slot, timezone.get_default_timezone()).date().isoformat()
    if Send.objects.filter(newsletter=newsletter, period_key=period_key).exists():
        return None
    start, end = period_for(newsletter, slot)
    articles = list(
        ArticlePage.objects.live().public().filter(first_published_at__gt=start, first_published_at__lte=end)
    )
    if not articles:
        return None
    try:
        with transaction.atomic():
            send = Send.objects.create(
                newsletter=newsletter,
                kind=SendKind.DIGEST,
                period_key=period_key,
                period_start=start,
                period_end=end,
                subject=digest_subject(newsletter, slot),
            )
            send.digest_articles.set(articles)
    except IntegrityError:  # another scheduler's task wrote it at the same moment
        return None
    transaction.on_commit(partial(send_newsletter.enqueue, send_id=send.pk))
    return send


@task()
def queue_due_digests() -> int:
    """Write and start every digest due now; returns how many. Safe to run as often as wanted."""
    queued = 0
    for newsletter in Newsletter.objects.filter(is_active=True, cadence__in=list(PERIODS)):
        with transaction.atomic():
            if do_queue_digest(newsletter=newsletter) is not None:
                queued += 1
    return queued
