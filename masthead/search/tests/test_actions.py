"""The search app's text rows: written on publish, removed on unpublish, filled in for articles without them."""

import pytest

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import ArticlePage
from masthead.search.actions import do_index_missing_articles, text_parts
from masthead.search.models import ArticleText, TextPart

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
