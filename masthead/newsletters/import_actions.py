"""Importing subscribers from another platform's CSV export (subscriber_csv.py reads it): each address becomes a
free member (membership.actions.create_member, as the Subscribe form does) with its consent state and sign-up
date for one newsletter. Unsubscribed, bounced and complained addresses come in suppressed, never subscribed.

Importing the same file again changes nothing, and an import never overrides what happened here: an address that
left or bounced here is not subscribed again, and one that subscribed here by its own choice is not unsubscribed
by an older list. A dry run does everything in a transaction that is rolled back, so its counts are exact.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from masthead.membership.actions import create_member, member_for_email
from masthead.newsletters import subscriber_csv
from masthead.newsletters.actions import NewsletterError
from masthead.newsletters.models import (
    ConsentSource,
    Newsletter,
    NewsletterSubscription,
    SubscriberImport,
    SubscriptionState,
)

STATES = {
    subscriber_csv.SUBSCRIBED: SubscriptionState.SUBSCRIBED,
    subscriber_csv.UNSUBSCRIBED: SubscriptionState.UNSUBSCRIBED,
    subscriber_csv.BOUNCED: SubscriptionState.BOUNCED,
    subscriber_csv.COMPLAINED: SubscriptionState.COMPLAINED,
}
OUTCOMES = ("created", "updated", "unchanged", "suppressed", "invalid")
SUPPRESSED_STATES = (SubscriptionState.BOUNCED, SubscriptionState.COMPLAINED)


@dataclass
class LineOutcome:
    line: int
    email: str
    outcome: str
    reason: str = ""


@dataclass
class ImportReport:
    newsletter: Newsletter
    format: str
    dry_run: bool
    lines: list[LineOutcome] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for line in self.lines:
            counts[line.outcome] += 1
        return counts

    @property
    def format_name(self) -> str:
        return subscriber_csv.FORMAT_NAMES.get(self.format, self.format)

    def lines_with(self, outcome: str) -> list[LineOutcome]:
        return [line for line in self.lines if line.outcome == outcome]


def check_import_subscribers(
    *, newsletter_slug: str, data: bytes, format: str = "auto"
) -> tuple[Newsletter, subscriber_csv.SubscriberFile]:
    """The newsletter and the file's rows, or a NewsletterError saying why the file is refused as a whole."""
    newsletter = Newsletter.objects.filter(slug=newsletter_slug).first()
    if newsletter is None:
        raise NewsletterError(f"There is no newsletter called {newsletter_slug!r}.", status=404)
    try:
        parsed = subscriber_csv.parse(data, format=format)
    except subscriber_csv.CsvRefused as error:
        raise NewsletterError(str(error), title="This file cannot be imported") from None
    return newsletter, parsed


def do_import_subscribers(
    *, newsletter: Newsletter, parsed: subscriber_csv.SubscriberFile, dry_run: bool = False
) -> ImportReport:
    """Import every valid row in one transaction (rolled back for a dry run); invalid rows are reported, line by
    line, and the others are imported all the same."""
    report = ImportReport(newsletter=newsletter, format=parsed.format, dry_run=dry_run)
    with transaction.atomic():
        for row in parsed.rows:
            if row.error:
                report.lines.append(LineOutcome(row.line, row.email, "invalid", row.error))
            else:
                report.lines.append(_import_row(newsletter, row))
        if dry_run:
            transaction.set_rollback(True)
    return report


def _import_row(newsletter: Newsletter, row: subscriber_csv.SubscriberRow) -> LineOutcome:
    wanted = STATES[row.state]
    member = member_for_email(row.email) or create_member(email=row.email, display_name=row.name[:100])
    if member is None:
        return LineOutcome(
            row.line, row.email, "invalid", "The address belongs to a staff account or a closed one: not imported."
        )
    now = timezone.now()
    subscription = NewsletterSubscription.objects.filter(member=member, newsletter=newsletter).first()
    if subscription is None:
        NewsletterSubscription.objects.create(
            member=member,
            newsletter=newsletter,
            state=wanted,
            subscribed_at=row.signed_up_at or now,
            state_changed_at=row.changed_at or now,
            consent_source=ConsentSource.IMPORT,
        )
        if wanted == SubscriptionState.SUBSCRIBED:
            return LineOutcome(row.line, row.email, "created")
        return LineOutcome(row.line, row.email, "suppressed", f"Came in {wanted.label.lower()}.")
    if subscription.state == wanted:
        return LineOutcome(row.line, row.email, "unchanged")
    if subscription.state in SUPPRESSED_STATES:
        return LineOutcome(row.line, row.email, "unchanged", f"Kept as it is here: {subscription.get_state_display()}.")
    if wanted == SubscriptionState.SUBSCRIBED:
        return LineOutcome(
            row.line, row.email, "unchanged", "Unsubscribed here: an import does not subscribe it again."
        )
    if wanted == SubscriptionState.UNSUBSCRIBED and subscription.consent_source != ConsentSource.IMPORT:
        return LineOutcome(
            row.line, row.email, "unchanged", "Subscribed here by the reader's own choice: kept subscribed."
        )
    subscription.state = wanted
    subscription.state_changed_at = row.changed_at or now
    subscription.save(update_fields=["state", "state_changed_at"])
    return LineOutcome(row.line, row.email, "updated", f"Now {wanted.label.lower()}.")


# The admin's two steps: upload and preview (a dry run), then import what was previewed ------------------------


def do_stage_import(
    *, newsletter: Newsletter, parsed: subscriber_csv.SubscriberFile, data: bytes, file_name: str, user
) -> tuple[SubscriberImport, ImportReport]:
    """Keep the uploaded text until the editor confirms, and preview what importing it would do."""
    report = do_import_subscribers(newsletter=newsletter, parsed=parsed, dry_run=True)
    staged = SubscriberImport.objects.create(
        newsletter=newsletter,
        uploaded_by=user,
        file_name=file_name[:255],
        format=parsed.format,
        content=subscriber_csv.decode(data),
        counts=report.counts,
    )
    return staged, report


def check_import_staged(*, import_id: int) -> tuple[SubscriberImport, subscriber_csv.SubscriberFile]:
    staged = SubscriberImport.objects.select_related("newsletter").filter(pk=import_id).first()
    if staged is None:
        raise NewsletterError("There is no such upload.", status=404)
    if staged.imported_at is not None:
        raise NewsletterError(
            f"{staged.file_name} was imported already, on {staged.imported_at:%Y-%m-%d %H:%M} UTC.", status=409
        )
    _, parsed = check_import_subscribers(
        newsletter_slug=staged.newsletter.slug, data=staged.content.encode("utf-8"), format=staged.format
    )
    return staged, parsed


def do_import_staged(*, staged: SubscriberImport, parsed: subscriber_csv.SubscriberFile) -> ImportReport:
    """Import what was previewed; the file's text is dropped, the counts kept."""
    with transaction.atomic():
        report = do_import_subscribers(newsletter=staged.newsletter, parsed=parsed)
        staged.imported_at = timezone.now()
        staged.counts = report.counts
        staged.content = ""
        staged.save(update_fields=["imported_at", "counts", "content"])
    return report
