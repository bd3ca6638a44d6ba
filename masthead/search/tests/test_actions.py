"""The search app's text rows: written on publish, removed on unpublish, filled in for articles without them."""

import pytest

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import ArticlePage
from masthead.discussion.factories import make_comment
from masthead.search.actions import do_index_missing_articles, do_index_missing_comments, text_parts
from masthead.search.models import ArticleText, CommentText, TextPart
from masthead.search.tasks import index_comment

pytestmark = pytest.mark.django_db


def body():
    return [paragraph("Open words."), {"type": "preview_cut", "value": None}, paragraph("Closed words.")]


def test_publishing_writes_both_parts_and_unpublishing_removes_them(section):
    article = make_article(section=section, title="Tidal energy", standfirst="A standfirst.", body=body())
    parts = dict(ArticleText.objects.filter(article_id=article.pk).values_list("part", "text"))
    # The index holds terms: folded and stemmed in the article's language (English here).
    assert parts == {
        TextPart.READABLE: "a standfirst open word",
        TextPart.WHOLE: "a standfirst open word close word",
    }
    assert text_parts(article)[TextPart.WHOLE] == "A standfirst. Open words. Closed words."
    ArticlePage.objects.get(pk=article.pk).unpublish()  # the factory's copy still says it is a draft
    assert not ArticleText.objects.filter(article_id=article.pk).exists()


def test_articles_without_rows_get_them(section):
    article = make_article(section=section, body=body())
    ArticleText.objects.filter(article_id=article.pk).delete()
    assert do_index_missing_articles() == 1
    assert ArticleText.objects.filter(article_id=article.pk).count() == 2
    assert do_index_missing_articles() == 0


def test_the_readable_part_never_holds_gated_text(section):
    article = make_article(section=section, body=body())
    assert "Closed" not in text_parts(article)[TextPart.READABLE]


def test_a_posted_comment_is_indexed_once_committed_and_a_gone_one_is_skipped(
    section, django_capture_on_commit_callbacks
):
    article = make_article(section=section, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        comment = make_comment(article=article, body="Les écluses débordent.")
    assert CommentText.objects.get(comment=comment).text == "le eclus debordent"
    assert index_comment.call(comment_id=comment.pk + 1000) is False


def test_comments_without_rows_get_them(section):
    comment = make_comment(article=make_article(section=section))  # its on-commit task never runs here
    assert not CommentText.objects.filter(comment=comment).exists()
    assert do_index_missing_comments() == 1
    assert CommentText.objects.filter(comment=comment).exists() and do_index_missing_comments() == 0
