"""`masthead import-wordpress EXPORT.xml` (or `manage.py import_wordpress`): a WordPress site's export imported."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from masthead.wordpress import wxr
from masthead.wordpress.actions import (
    CATEGORIES_AS,
    check_import_wordpress,
    check_undo_import_run,
    do_import_wordpress,
    do_undo_import_run,
)
from masthead.wordpress.models import ImportRun


class Command(BaseCommand):
    help = "Import a WordPress export (WXR file): authors, categories and tags, posts, and their comments."

    def add_arguments(self, parser):
        parser.add_argument("export", nargs="?", help="The WXR file WordPress made (Tools → Export).")
        parser.add_argument("--categories-as", choices=CATEGORIES_AS, default="sections",
                            help="Make WordPress categories sections (the default) or topics.")
        parser.add_argument("--media", metavar="DIR",
                            help="A copy of the site's wp-content/uploads: its images become Wagtail images.")
        parser.add_argument("--dry-run", action="store_true", help="Do everything, then undo it: writes nothing.")
        parser.add_argument("--report", metavar="FILE.json", help="Also write the closing summary as JSON here.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs).")
        parser.add_argument("--update", action="store_true",
                            help="Also refresh posts and pages changed in WordPress since they were imported.")
        parser.add_argument("--site", help="The site to import into (host name or name) when there are several.")
        parser.add_argument("--list-runs", action="store_true", help="List the import runs, newest first.")
        parser.add_argument("--undo", metavar="RUN", help="Remove everything the run numbered RUN made.")

    def handle(self, *args, **options):
        if options["list_runs"]:
            return self.list_runs()
        if options["undo"]:
            return self.undo(options["undo"])
        if not options["export"]:
            raise CommandError("Name the export file (or use --list-runs / --undo RUN).")
        try:
            checked = check_import_wordpress(
                path=options["export"], categories_as=options["categories_as"], media=options["media"],
                site=options["site"])
        except wxr.WXRError as error:
            raise CommandError(f"{options['export']}: refused, nothing was imported. {error}") from None
        self.stdout.write(f"{checked.path.name}: WXR {checked.channel.wxr_version or '(no version)'}, "
                          f"{checked.items} items from {checked.channel.source or 'an unnamed site'}.")
        show = not options["no_progress"] and self.stdout.isatty()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      disable=not show) as progress:
            tasks = {}

            def on_progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(phase + (" (dry run)" if options["dry_run"] else ""), total=total)
                progress.update(tasks[phase], completed=done, total=total)

            try:
                report = do_import_wordpress(
                    checked=checked, categories_as=options["categories_as"], dry_run=options["dry_run"],
                    update=options["update"],
                    on_progress=on_progress,
                )
            except wxr.WXRError as error:
                raise CommandError(f"{options['export']}: refused, nothing was imported. {error}") from None
        summary = report.as_dict()
        self.stdout.write(self.summary(summary))
        if options["report"]:
            Path(options["report"]).write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
            self.stdout.write(f"Report written to {options['report']}.")

    def list_runs(self) -> None:
        for run in ImportRun.objects.order_by("-pk"):
            state = f"undone {run.undone_at:%Y-%m-%d %H:%M}" if run.undone_at else f"{run.imported_objects.count()} objects"
            self.stdout.write(f"{run.pk:>5}  {run.started_at:%Y-%m-%d %H:%M}  {run.file_name}  {run.source}  ({state})")

    def undo(self, run_id) -> None:
        try:
            run = check_undo_import_run(run_id=run_id)
        except wxr.WXRError as error:
            raise CommandError(str(error)) from None
        removed = do_undo_import_run(run=run)
        self.stdout.write(f"Run {run.pk} undone. Removed: "
                          + (", ".join(f"{count} {kind}" for kind, count in sorted(removed.items()) if count) or "nothing"))

    def summary(self, report: dict) -> str:
        verb = "Would create" if report["dry_run"] else "Created"
        lines = [f"{verb}: " + (", ".join(f"{count} {kind}" for kind, count in sorted(report["created"].items()))
                                or "nothing")]
        if report.get("updated"):
            lines.append("Updated: " + ", ".join(f"{count} {kind}" for kind, count in sorted(report["updated"].items())))
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
