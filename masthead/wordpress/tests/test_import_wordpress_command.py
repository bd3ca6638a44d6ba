"""`manage.py import_wordpress` (`masthead import-wordpress`): options, the closing summary, refusals."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from masthead.articles.models import ArticlePage
from masthead.discussion.models import Comment
from masthead.wordpress.tests.conftest import DATA, FIXTURES

SITE = DATA / "wpdiscuz-site.xml"


def command(*args) -> str:
    out = io.StringIO()
    call_command("import_wordpress", *args, stdout=out)
    return out.getvalue()


def test_import_prints_a_summary_and_writes_the_json_report(home, tmp_path):
    report_path = tmp_path / "report.json"
    output = command(str(SITE), "--report", str(report_path))
    assert "wpdiscuz-site.xml: WXR 1.2, 4 items from https://ledger.example.org." in output
    created = next(line for line in output.splitlines() if line.startswith("Created: "))
    assert all(part in created for part in ("3 articles", "1 authors", "6 comments", "2 articles with links"))
    assert "Unknown shortcodes kept as text: [related_posts] ×1" in output
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["created"]["articles"] == 3 and report["dry_run"] is False
    assert report["skipped"] == {} and report["created"]["pages"] == 1


def test_dry_run_says_so_and_writes_nothing(home):
    output = command(str(SITE), "--dry-run")
    assert "Would create: 3 articles" in output and "Dry run: nothing was written." in output
    assert ArticlePage.objects.count() == 0 and Comment.objects.count() == 0


def test_malformed_file_fails_with_line_and_column(home):
    with pytest.raises(CommandError, match=r"refused, nothing was imported\. .*mismatched tag \(line 90, column 3\)"):
        command(str(FIXTURES / "malformed.xml"))


def test_missing_file_and_bad_option_are_clear(home, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        command(str(tmp_path / "nope.xml"))
    with pytest.raises(CommandError, match="invalid choice"):
        command(str(SITE), "--categories-as", "folders")
