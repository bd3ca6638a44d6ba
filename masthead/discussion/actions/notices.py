"""Moderators' notices: one e-mail per moderator about the comments held and the reports made since the last one.

The task `send_moderator_notices` runs every quarter hour (settings.MASTHEAD_PERIODIC_TASKS), so a busy hour
makes four short mails, not one per comment. Each held comment and each report carries the time it was
announced (`moderators_notified_at`), set only after every mail of the batch was handed to the mail server:
nothing is announced twice by a run that succeeded, and nothing is lost by one that failed (the next run
sends it again, perhaps twice to a moderator whose copy went out before the failure).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from masthead.accounts.models import User
from masthead.discussion.models import Comment, CommentStatus, Flag
from masthead.discussion.permissions import MODERATE_PERMISSION

# How many comments and reports a mail lists one by one; the rest are counted, and wait in the queue.
LISTED = 20


def moderators():
    """Who is told: active accounts with an e-mail address that may moderate (superusers included)."""
    return (
        User.objects.with_perm(MODERATE_PERMISSION, is_active=True, include_superusers=True)
        .exclude(email="")
        .order_by("pk")
    )


def queue_url(queue: str) -> str:
    return f"{settings.MASTHEAD_BASE_URL}{reverse('discussion_admin:queue')}?queue={queue}"


def edit_url(comment: Comment) -> str:
    return settings.MASTHEAD_BASE_URL + reverse("discussion_admin:edit", kwargs={"comment_id": comment.pk})


@dataclass
class Batch:
    """What one notice announces: the ids it marks, and the first few of each kind, to be listed."""

    held_ids: list[int]
    report_ids: list[int]
    held: list[Comment]
    reports: list[Flag]

    @property
    def is_empty(self) -> bool:
        return not (self.held_ids or self.report_ids)

    @property
    def subject(self) -> str:
        parts = []
        if self.held_ids:
            parts.append(f"{len(self.held_ids)} held for approval")
        if self.report_ids:
            parts.append(f"{len(self.report_ids)} new report{'s' if len(self.report_ids) != 1 else ''}")
        return "Comments need you: " + ", ".join(parts)


def unannounced() -> Batch:
    held = Comment.objects.filter(status=CommentStatus.PENDING, moderators_notified_at__isnull=True)
    # Reports on comments already in spam stay out of the reported queue, and so out of the notice.
    reports = Flag.objects.filter(resolved=False, moderators_notified_at__isnull=True).exclude(
        comment__status=CommentStatus.SPAM
    )
    return Batch(
        held_ids=list(held.values_list("pk", flat=True)),
        report_ids=list(reports.values_list("pk", flat=True)),
        held=list(held.select_related("author", "thread__page").order_by("created_at", "pk")[:LISTED]),
        reports=list(
            reports.select_related("comment__author", "comment__thread__page").order_by("created_at", "pk")[:LISTED]
        ),
    )


def do_send_moderator_notices() -> int:
    """Mail every moderator the batch not yet announced, then mark it announced; returns the mails sent."""
    batch = unannounced()
    if batch.is_empty:
        return 0
    recipients = list(moderators())
    if not recipients:
        return 0  # kept unannounced until someone may moderate
    context = {
        "batch": batch,
        "held_url": queue_url("pending"),
        "reported_url": queue_url("reported"),
        "held_rows": [(comment, edit_url(comment)) for comment in batch.held],
        "report_rows": [(flag, edit_url(flag.comment)) for flag in batch.reports],
        "held_more": len(batch.held_ids) - len(batch.held),
        "reports_more": len(batch.report_ids) - len(batch.reports),
    }
    messages = [
        EmailMessage(
            subject=batch.subject,
            body=render_to_string("discussion/email/moderator_notice.txt", {**context, "moderator": moderator}),
            to=[moderator.email],
        )
        for moderator in recipients
    ]
    # Raises if the mail server refuses: then nothing below runs and the next run announces the same batch.
    with get_connection() as connection:
        connection.send_messages(messages)
    now = timezone.now()
    Comment.objects.filter(pk__in=batch.held_ids).update(moderators_notified_at=now)
    Flag.objects.filter(pk__in=batch.report_ids).update(moderators_notified_at=now)
    return len(messages)


@task()
def send_moderator_notices() -> int:
    """The notices as a task, which the scheduler enqueues every quarter hour (settings.MASTHEAD_PERIODIC_TASKS)."""
    return do_send_moderator_notices()
