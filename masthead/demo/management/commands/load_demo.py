"""Load the demo publication (also available as `masthead demo`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.demo.loader import CONTENT_DIR, DemoContentError, database_is_empty, load_demo


class Command(BaseCommand):
    help = "Load the demo publication. Safe to run again: what exists already is left as it is."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the site already has a publication."
        )
        parser.add_argument(
            "--content-dir", type=Path, default=CONTENT_DIR, help="Another folder laid out like demo/content/."
        )

    def handle(self, *args, if_empty=False, content_dir=CONTENT_DIR, **options):
        if if_empty and not database_is_empty():
            self.stdout.write("The site already has a publication; demo content not loaded.")
            return
        try:
            report = load_demo(content_dir)
        except DemoContentError as error:
            raise CommandError(f"Demo content is malformed: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Demo publication: {len(report.created)} created, {len(report.kept)} already there.")
        )
