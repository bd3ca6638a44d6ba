"""Write comments as masthead-comments JSON (see masthead/discussion/interchange.py for the format)."""

import json

from django.core.management.base import BaseCommand

from masthead.discussion.interchange import export_threads
from masthead.discussion.models import Thread


class Command(BaseCommand):
    help = "Export one article's comments (--article ID) or the whole site's, as JSON on stdout or to --output."

    def add_arguments(self, parser):
        parser.add_argument("--article", type=int, help="the article's page id; all articles when omitted")
        parser.add_argument("--output", help="file to write; stdout when omitted")

    def handle(self, *args, article=None, output=None, **options):
        threads = Thread.objects.all() if article is None else Thread.objects.filter(page_id=article)
        text = json.dumps(export_threads(threads), ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
        else:
            self.stdout.write(text)
