"""Read masthead-comments JSON into the matching articles' threads; all or nothing, safe to repeat."""

import json

from django.core.management.base import BaseCommand, CommandError

from masthead.discussion.errors import DiscussionError
from masthead.discussion.interchange import import_threads


class Command(BaseCommand):
    help = "Import comments from a masthead-comments JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
            added = import_threads(data)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, DiscussionError) as error:
            raise CommandError(f"Nothing imported: {error}") from error
        self.stdout.write(f"Imported {added} comments.")
