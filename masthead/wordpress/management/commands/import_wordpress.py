"""`masthead import-wordpress EXPORT.xml` (or `manage.py import_wordpress`): a WordPress site's export imported."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from masthead.wordpress import wxr
from masthead.wordpress.actions import CATEGORIES_AS, check_import_wordpress, do_import_wordpress


class Command(BaseCommand):
    help = "Import a WordPress export (WXR file): authors, categories and tags, posts, and their comments."

    def add_arguments(self, parser):
        parser.add_argument("export", help="The WXR file WordPress made (Tools → Export).")
        parser.add_argument("--categories-as", choices=CATEGORIES_AS, default="sections",
                            help="Make WordPress categories sections (the default) or topics.")
        parser.add_argument("--media", metavar="DIR",
                            help="A copy of the site's wp-content/uploads: its images become Wagtail images.")
        parser.add_argument("--dry-run", action="store_true", help="Do everything, then undo it: writes nothing.")
        parser.add_argument("--report", metavar="FILE.json", help="Also write the closing summary as JSON here.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs).")

    def handle(self, *args, **options):
        try:
            checked = check_import_wordpress(
                path=options["export"], categories_as=options["categories_as"], media=options["media"])
        except wxr.WXRError as error:
            raise CommandError(f"{options['export']}: refused, nothing was imported. {error}") from None
        self.stdout.write(f"{checked.path.name}: WXR {checked.channel.wxr_version or '(no version)'}, "
                          f"{checked.items} items from {checked.channel.source or 'an unnamed site'}.")
        show = not options["no_progress"] and self.stdout.isatty()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      disable=not show) as progress:
            task = progress.add_task("Importing" + (" (dry run)" if options["dry_run"] else ""),
                                     total=checked.items)
            try:
                report = do_import_wordpress(
                    checked=checked, categories_as=options["categories_as"], dry_run=options["dry_run"],
                    on_record=lambda record: progress.advance(task) if isinstance(record, wxr.Item) else None,
                )
            except wxr.WXRError as error:
                raise CommandError(f"{options['export']}: refused, nothing was imported. {error}") from None
        summary = report.as_dict()
        self.stdout.write(self.summary(summary))
        if options["report"]:
            Path(options["report"]).write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
            self.stdout.write(f"Report written to {options['report']}.")

    def summary(self, report: dict) -> str:
        verb = "Would create" if report["dry_run"] else "Created"
        lines = [f"{verb}: " + (", ".join(f"{count} {kind}" for kind, count in sorted(report["created"].items()))
                                or "nothing")]
        if report["skipped"]:
            lines.append("Skipped: " + ", ".join(f"{count} {reason}" for reason, count in report["skipped"].items()))
        if report["unknown_shortcodes"]:
            lines.append("Unknown shortcodes kept as text: " + ", ".join(
                f"[{name}] ×{count}" for name, count in sorted(report["unknown_shortcodes"].items())))
        if report["missing_images"]:
            lines.append(f"Images left out (not found under --media, or no --media): {report['missing_images']}")
        lines.append(f"Warnings: {len(report['warnings'])}")
        lines.extend(f"  - {warning}" for warning in report["warnings"][:20])
        if len(report["warnings"]) > 20:
            lines.append(f"  … and {len(report['warnings']) - 20} more (see --report).")
        if report["dry_run"]:
            lines.append("Dry run: nothing was written.")
        return "\n".join(lines)
