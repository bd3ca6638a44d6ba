"""manage.py import_subscribers FILE.csv --newsletter SLUG [--format ...] [--dry-run]: subscribers from another
platform's export (newsletters/import_actions.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.newsletters.actions import NewsletterError
from masthead.newsletters.import_actions import OUTCOMES, check_import_subscribers, do_import_subscribers
from masthead.newsletters.subscriber_csv import FORMATS


class Command(BaseCommand):
    help = (
        "Import subscribers from a Jetpack/WordPress.com, Substack, Ghost or Mailchimp CSV export into a newsletter, "
        "keeping each address's consent state and sign-up date. Importing again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV export.")
        parser.add_argument("--newsletter", required=True, help="The newsletter's slug.")
        parser.add_argument(
            "--format", choices=["auto", *FORMATS], default="auto", help="Default: recognised by its columns."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen, and write nothing.")

    def handle(self, *args, file: Path, newsletter: str, format: str, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            target, parsed = check_import_subscribers(newsletter_slug=newsletter, data=data, format=format)
        except NewsletterError as error:
            raise CommandError(error.message) from None
        report = do_import_subscribers(newsletter=target, parsed=parsed, dry_run=dry_run)
        verbose = options["verbosity"] > 1
        for line in report.lines:
            if line.reason and (verbose or line.outcome == "invalid"):
                self.stdout.write(f"line {line.line}: {line.email or '-'}: {line.outcome}: {line.reason}")
        counts = report.counts
        summary = ", ".join(f"{counts[outcome]} {outcome}" for outcome in OUTCOMES)
        prefix = "Dry run, nothing written: would import" if dry_run else "Imported"
        self.stdout.write(f"{prefix} {report.format_name} export into {target.name}: {summary}.")
