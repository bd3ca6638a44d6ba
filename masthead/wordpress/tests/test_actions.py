"""The import against the real database: every fixture, field by field on a wpDiscuz site, all or nothing."""

import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone

import pytest
from wagtail.models import Page

from masthead.accounts.factories import UserFactory
from masthead.articles.models import ArticlePage, Author, HomePage, PlainPage, SectionPage, Topic
from masthead.discussion.actions.votes import do_vote
from masthead.delivery.models import CacheStamps
from masthead.delivery.stamps import STAMPS_ID
from masthead.discussion.models import Comment, CommentSort, CommentStatus, Thread
from masthead.search.models import CommentText
from masthead.wordpress import wxr
from masthead.wordpress.actions import check_import_wordpress, do_import_wordpress
from masthead.wordpress.models import ImportedObject, ImportRun
from masthead.wordpress.tests.conftest import DATA, FIXTURES, WELL_FORMED

WP = "{http://wordpress.org/export/1.2/}"
SITE = DATA / "wpdiscuz-site.xml"


def run_import(path, **options):
    checked = check_import_wordpress(path=path, categories_as=options.get("categories_as", "sections"))
    return do_import_wordpress(checked=checked, **options)


def expected_counts(path) -> tuple[int, int]:
    """Posts and reader comments as the XML says, read with the standard library (fixtures are trusted)."""
    root = ElementTree.parse(path).getroot()
    posts = comments = 0
    for item in root.iter("item"):
        fields = {child.tag.split("}")[-1]: (child.text or "") for child in item}
        if fields.get("post_type", "post") != "post" or fields.get("status", "publish") in ("trash", "auto-draft"):
            continue
        posts += 1
        for comment in item:
            if comment.tag.endswith("}comment"):
                kind = next((c.text or "" for c in comment if c.tag.endswith("}comment_type")), "")
                comments += kind not in ("pingback", "trackback")
    return posts, comments


def table_counts() -> dict:
    return {model.__name__: model.objects.count()
            for model in (Author, Topic, SectionPage, ArticlePage, Page, Comment, Thread, ImportedObject, ImportRun)}


@pytest.mark.parametrize("path", WELL_FORMED, ids=lambda path: path.name)
def test_every_fixture_imports_and_a_second_run_adds_nothing(home, path):
    posts, comments = expected_counts(path)
    report = run_import(path)
    assert ArticlePage.objects.count() == posts
    assert Comment.objects.count() == comments
    assert report.created.get("articles", 0) == posts
    before = table_counts()
    again = run_import(path)
    after = table_counts()
    assert again.created == {}
    assert {k: v for k, v in after.items() if k != "ImportRun"} == {k: v for k, v in before.items() if k != "ImportRun"}


def test_malformed_file_is_refused_and_writes_nothing(home):
    before = table_counts()
    with pytest.raises(wxr.WXRError, match="line 90, column 3"):
        run_import(FIXTURES / "malformed.xml")
    assert table_counts() == before


def test_file_broken_after_its_first_posts_writes_nothing(home, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text(SITE.read_text(encoding="utf-8").replace("</channel>", "</chanel>"), encoding="utf-8")
    before = table_counts()
    with pytest.raises(wxr.WXRError, match="mismatched tag"):
        run_import(broken)
    assert table_counts() == before


def test_dry_run_reports_and_writes_nothing(home):
    before = table_counts()
    report = run_import(SITE, dry_run=True)
    assert report.dry_run and report.created["articles"] == 3 and report.created["comments"] == 6
    assert table_counts() == before


def test_wpdiscuz_site_field_by_field(home):
    maren = UserFactory(email="maren.solberg@example.org")
    report = run_import(SITE)

    article = ArticlePage.objects.get(slug="harbour-dues")
    assert article.title == "Why the harbour dues doubled"
    assert article.standfirst == "Two rises in one year, and who pays for them."
    assert article.live and article.first_published_at == datetime(2023, 4, 3, 7, 30, tzinfo=timezone.utc)
    assert article.last_published_at == datetime(2023, 4, 5, 10, 0, tzinfo=timezone.utc)
    assert article.get_parent().title == "Ports & Shipping" and article.get_parent().slug == "ports"
    assert [topic.name for topic in article.topics.all()] == ["Tariffs"]
    assert [author.name for author in article.byline] == ["Ilse Brandt"]
    assert ImportedObject.objects.get(kind="author", wp_key="ilse").email == "ilse.brandt@ledger.example.org"
    assert [block.block_type for block in article.body] == [
        "paragraph", "section_heading", "paragraph", "block_quote", "embed", "paragraph", "paragraph"]
    assert "javascript" not in str(article.body.raw_data) and "alert(2)" not in str(article.body.raw_data)
    assert report.unknown_shortcodes == {"related_posts": 1}
    notes, budget = ArticlePage.objects.get(title="Half-written"), ArticlePage.objects.get(slug="budget")
    # Links between imported posts (forward and back) are page links now; others stay as they were.
    assert f'<a linktype="page" id="{notes.pk}">the notes</a>' in article.body.raw_data[5]["value"]
    assert '<a href="https://else.example/x">x</a>' in article.body.raw_data[5]["value"]
    assert f'<a linktype="page" id="{article.pk}">the dues</a>' in str(budget.get_latest_revision_as_object().body.raw_data)
    assert HomePage.objects.get().lead_article_id == article.pk  # the sticky post

    scheduled = ArticlePage.objects.get(slug="budget")
    assert not scheduled.live
    assert scheduled.get_latest_revision().approved_go_live_at == datetime(2099, 1, 1, 6, tzinfo=timezone.utc)
    draft = ArticlePage.objects.get(title="Half-written")
    assert not draft.live and draft.slug == "half-written"
    assert PlainPage.objects.get().title == "About us"

    comments = {c.guest_name or c.author.email: c for c in Comment.objects.filter(thread__page=article)}
    per, anna, reply = comments["Per Holm"], comments["Anna"], comments["maren.solberg@example.org"]
    assert (per.parent, anna.parent, reply.parent) == (None, per, anna)
    assert (per.depth, anna.depth, reply.depth) == (1, 2, 3) and reply.root == per
    assert reply.author == maren and reply.guest_email == ""
    assert per.guest_email == "per.holm@example.net" and per.guest_url == "https://perholm.example.net"
    assert per.body == "The pilots were *never* consulted."
    assert (per.upvotes, per.downvotes, per.score) == (5, 1, 4)
    assert (anna.upvotes, anna.downvotes) == (0, 2) and (reply.upvotes, reply.downvotes) == (9, 0)
    assert comments["Held Back"].status == CommentStatus.PENDING
    assert comments["Cheap Pills"].status == CommentStatus.SPAM
    assert comments["Binned"].status == CommentStatus.REJECTED
    thread = Thread.objects.get(page=article)
    assert thread.is_closed  # wpdiscuz_closed
    assert thread.comment_count == 3


def test_imported_votes_sort_most_voted_and_new_votes_add_to_them(home):
    run_import(SITE)
    thread = Thread.objects.get(page__slug="harbour-dues")
    replies = Comment.objects.filter(thread=thread, parent__isnull=False).visible()
    assert [c.guest_name for c in replies.sorted_by(CommentSort.MOST_VOTED)] == ["Maren", "Anna"]
    anna = Comment.objects.get(guest_name="Anna")
    do_vote(comment=anna, voter=UserFactory(), value=1)
    anna.refresh_from_db()
    assert (anna.upvotes, anna.downvotes, anna.score) == (1, 2, -1)
    do_vote(comment=anna, voter=UserFactory(), value=-1)
    anna.refresh_from_db()
    assert (anna.upvotes, anna.downvotes, anna.imported_downvotes) == (1, 3, 2)


def test_second_run_changes_nothing_readers_see(home):
    run_import(SITE)
    versions = dict(Thread.objects.values_list("pk", "version"))
    report = run_import(SITE)
    assert report.created == {} and report.skipped["post already imported"] == 3
    assert dict(Thread.objects.values_list("pk", "version")) == versions


def test_a_comment_added_since_the_last_export_is_imported_alone(home, tmp_path):
    run_import(SITE)
    newer = tmp_path / "newer.xml"
    newer.write_text(SITE.read_text(encoding="utf-8").replace(
        "<wp:comment_id>504</wp:comment_id>",
        "<wp:comment_id>504</wp:comment_id></wp:comment><wp:comment><wp:comment_id>599</wp:comment_id>"
        "<wp:comment_author>Late</wp:comment_author><wp:comment_content>New since</wp:comment_content>"
        "<wp:comment_approved>0</wp:comment_approved>", 1), encoding="utf-8")
    report = run_import(newer)
    assert report.created == {"comments": 1}
    assert Comment.objects.filter(guest_name="Late").count() == 1


def test_categories_as_topics_puts_posts_in_one_section(home):
    run_import(SITE, categories_as="topics")
    article = ArticlePage.objects.get(slug="harbour-dues")
    assert article.get_parent().slug == "archive"
    assert sorted(topic.name for topic in article.topics.all()) == ["Ports & Shipping", "Tariffs"]


def test_theme_unit_test_data_threads_and_statuses(home):
    report = run_import(FIXTURES / "theme-unit-test-data.xml")
    assert report.created["articles"] == ArticlePage.objects.count()
    # Comments keep their WordPress threading: every reply sits one level under its parent.
    for comment in Comment.objects.filter(parent__isnull=False).select_related("parent"):
        assert comment.depth == comment.parent.depth + 1 and comment.root_id == comment.parent.root_id
    assert Comment.objects.filter(depth__gt=2).exists()
    assert report.skipped["pingback"] + report.skipped["trackback"] == 4


def test_objects_deleted_since_are_handled_on_the_next_run(home):
    run_import(SITE)
    ArticlePage.objects.get(slug="budget").delete()
    Topic.objects.filter(name="Tariffs").delete()
    report = run_import(SITE)
    assert report.skipped["post whose article was deleted here"] == 1
    assert not ArticlePage.objects.filter(slug="budget").exists()
    assert report.created == {}  # the tag's topic is made again only when a post being imported needs it


def test_after_the_commit_comments_are_indexed_and_the_change_announced(home, django_capture_on_commit_callbacks):
    # Comments are stored in bulk, without save signals: the import itself has them indexed and announces once.
    CacheStamps.objects.update_or_create(pk=STAMPS_ID, defaults={"content": "before"})
    with django_capture_on_commit_callbacks(execute=True):
        run_import(SITE)
    comments = Comment.objects.count()
    assert comments and CommentText.objects.count() == comments
    assert CacheStamps.objects.get(pk=STAMPS_ID).content != "before"
    CacheStamps.objects.filter(pk=STAMPS_ID).update(content="after the first run")
    with django_capture_on_commit_callbacks(execute=True):
        run_import(SITE)  # nothing new: nothing announced
    assert CacheStamps.objects.get(pk=STAMPS_ID).content == "after the first run"
