"""Each fixture imported and checked against its own XML (read here with the standard library: the fixtures are
trusted): posts and pages with their status, slugs and page hierarchy, the authors of the posts, and every
comment's threading."""

import xml.etree.ElementTree as ElementTree

import pytest

from masthead.articles.models import ArticlePage, PlainPage
from masthead.discussion.models import Comment
from masthead.wordpress.actions import check_import_wordpress, do_import_wordpress
from masthead.wordpress.models import ImportedObject
from masthead.wordpress.tests.conftest import WELL_FORMED

SKIPPED = ("trash", "auto-draft")


def local(tag) -> str:
    return tag.split("}")[-1] if isinstance(tag, str) else ""


def items(path) -> list[dict]:
    found = []
    for item in ElementTree.parse(path).getroot().iter("item"):
        fields = {local(child.tag): (child.text or "").strip() for child in item if local(child.tag) != "comment"}
        fields["comments"] = [{local(c.tag): (c.text or "").strip() for c in comment}
                              for comment in item if local(comment.tag) == "comment"]
        fields["creator"] = next((child.text or "" for child in item if child.tag.endswith("}creator")), "")
        found.append(fields)
    return found


def imported(kind: str, wp_id: str):
    return ImportedObject.objects.filter(kind=kind, wp_key=wp_id).values_list("object_id", flat=True).first()


@pytest.mark.parametrize("path", WELL_FORMED, ids=lambda path: path.name)
def test_fixture_against_its_xml(home, path):
    report = do_import_wordpress(checked=check_import_wordpress(path=path))
    records = [r for r in items(path) if r.get("status", "publish") not in SKIPPED]
    posts = [r for r in records if r.get("post_type", "post") == "post"]
    pages = [r for r in records if r.get("post_type") == "page"]
    assert ArticlePage.objects.count() == len(posts) == report.created.get("articles", 0)
    assert PlainPage.objects.count() == len(pages) == report.created.get("pages", 0)
    page_ids = {r["post_id"] for r in pages}
    for record in pages:
        page = PlainPage.objects.get(pk=imported("page", record["post_id"]))
        parent_wp = record.get("post_parent", "0")
        expected_parent = imported("page", parent_wp) if parent_wp in page_ids else home.pk
        assert page.get_parent().pk == expected_parent, record["post_id"]
        assert page.title == (record.get("title") or f"Untitled page {record['post_id']}")
        if record.get("post_name"):
            assert page.slug.startswith(record["post_name"].lower()[:20]) or "%" in record["post_name"]
        published = record.get("status") == "publish" and not record.get("post_password")
        assert page.live == published, record["post_id"]
    for record in posts:
        article = ArticlePage.objects.get(pk=imported("article", record["post_id"]))
        drafted = any(w.startswith(f"post {record['post_id']} ") and "kept as a draft" in w for w in report.warnings)
        assert article.live == (record.get("status", "publish") == "publish" and not drafted), record["post_id"]
        login = record["creator"] or "admin"
        assert [a.pk for a in article.byline] == [imported("author", login)]
    # Every reader comment on a post, threaded as WordPress had it (a parent that was itself a pingback or
    # not in the file leaves the reply at the top level).
    for record in posts:
        by_id = {c["comment_id"]: c for c in record["comments"]}
        for comment in record["comments"]:
            if comment.get("comment_type") in ("pingback", "trackback"):
                continue
            made = Comment.objects.get(pk=imported("comment", comment["comment_id"]))
            parent = by_id.get(comment.get("comment_parent", "0"))
            if parent is None or parent.get("comment_type") in ("pingback", "trackback"):
                assert made.parent_id is None
            else:
                assert made.parent_id == imported("comment", parent["comment_id"])
            assert made.thread.page_id == article_for(record)


def article_for(record) -> int:
    return imported("article", record["post_id"])
