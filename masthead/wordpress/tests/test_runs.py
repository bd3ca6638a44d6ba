"""`--update`, `--list-runs` and `--undo RUN`, and `--site` when there are several sites."""

import io

import pytest
from django.core.management import CommandError, call_command
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site

from masthead.annotations.models import FeedbackPoint
from masthead.articles.models import ArticlePage, Author, HomePage, PlainPage, SectionPage, Topic
from masthead.discussion.models import Comment, Thread
from masthead.wordpress import wxr
from masthead.wordpress.actions import (
    PHASES,
    check_import_wordpress,
    check_undo_import_run,
    do_import_wordpress,
    do_undo_import_run,
)
from masthead.wordpress.models import ImportedObject, ImportRun
from masthead.wordpress.tests.conftest import DATA

SITE = DATA / "wpdiscuz-site.xml"


def command(*args) -> str:
    out = io.StringIO()
    call_command("import_wordpress", *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in
            (ArticlePage, PlainPage, SectionPage, Topic, Author, Comment, Thread, Redirect, FeedbackPoint, ImportedObject)}


def test_update_refreshes_only_posts_changed_since(home, tmp_path):
    do_import_wordpress(checked=check_import_wordpress(path=SITE))
    text = SITE.read_text(encoding="utf-8")
    assert "<wp:post_modified_gmt><![CDATA[2023-04-05 10:00:00]]></wp:post_modified_gmt>" in text
    changed = tmp_path / "changed.xml"
    changed.write_text(text.replace("<wp:post_modified_gmt><![CDATA[2023-04-05 10:00:00]]></wp:post_modified_gmt>",
                                    "<wp:post_modified_gmt>2024-01-09 12:00:00</wp:post_modified_gmt>")
                       .replace("Why the harbour dues doubled", "Why the harbour dues doubled, again"), encoding="utf-8")
    without = do_import_wordpress(checked=check_import_wordpress(path=changed))
    assert without.updated == {} and ArticlePage.objects.get(slug="harbour-dues").title == "Why the harbour dues doubled"
    report = do_import_wordpress(checked=check_import_wordpress(path=changed), update=True)
    assert report.updated == {"articles": 1} and report.created == {"articles with links rewritten": 1}
    article = ArticlePage.objects.get(slug="harbour-dues")
    assert article.title == "Why the harbour dues doubled, again" and article.live
    assert article.last_published_at.year == 2024 and article.first_published_at.year == 2023
    again = do_import_wordpress(checked=check_import_wordpress(path=changed), update=True)
    assert again.updated == {}


def test_list_runs_and_undo_one_run(home, tmp_path):
    before = counts()
    command(str(SITE))
    run = ImportRun.objects.get()
    assert f"{run.pk:>5}" in command("--list-runs") and "wpdiscuz-site.xml" in command("--list-runs")
    output = command("--undo", str(run.pk))
    assert f"Run {run.pk} undone." in output and "comments" in output
    assert counts() == before
    assert Page.objects.count() == Page.objects.filter(depth__lte=2).count()
    assert "undone" in command("--list-runs")
    with pytest.raises(CommandError, match="undone already"):
        command("--undo", str(run.pk))
    with pytest.raises(CommandError, match="no import run"):
        command("--undo", "9999")
    # Imported again after the undo: everything comes back.
    command(str(SITE))
    assert ArticlePage.objects.count() == 3


def test_undo_keeps_what_another_run_still_uses(home, tmp_path):
    do_import_wordpress(checked=check_import_wordpress(path=SITE))
    first = ImportRun.objects.get()
    later = tmp_path / "later.xml"
    later.write_text(SITE.read_text(encoding="utf-8").replace("<wp:post_id>", "<wp:post_id>9").replace(
        "<wp:comment_id>", "<wp:comment_id>9"), encoding="utf-8")
    do_import_wordpress(checked=check_import_wordpress(path=later))
    assert ArticlePage.objects.count() == 6
    removed = do_undo_import_run(run=check_undo_import_run(run_id=first.pk))
    assert ArticlePage.objects.count() == 3 and removed["authors kept (still used)"] == 1
    # The author and the section were made by the first run, and the second run's posts still use them.
    assert Author.objects.count() == 1 and SectionPage.objects.filter(slug="ports").exists()
    assert {a.get_parent().slug for a in ArticlePage.objects.all()} <= {"ports", "archive"}


def test_site_is_needed_when_there_are_several(home):
    other_home = Page.get_first_root_node().add_child(instance=HomePage(title="Second", slug="second"))
    Site.objects.create(hostname="second.example", port=80, root_page=other_home, site_name="Second")
    with pytest.raises(wxr.WXRError, match="several sites"):
        check_import_wordpress(path=SITE)
    with pytest.raises(wxr.WXRError, match="no site has that"):
        check_import_wordpress(path=SITE, site="third.example")
    do_import_wordpress(checked=check_import_wordpress(path=SITE, site="second.example"))
    assert ArticlePage.objects.descendant_of(other_home).count() == 3
    assert ArticlePage.objects.descendant_of(home).count() == 0
    assert Redirect.objects.filter(site__hostname="second.example").count() == Redirect.objects.count() > 0


def test_progress_is_told_phase_by_phase(home):
    calls = []
    do_import_wordpress(checked=check_import_wordpress(path=SITE), on_progress=lambda *call: calls.append(call))
    phases = list(dict.fromkeys(phase for phase, _, _ in calls))
    assert phases == list(PHASES)
    last = {phase: (done, total) for phase, done, total in calls}
    assert last[PHASES[0]] == (4, 4) and all(done == total for done, total in last.values())
