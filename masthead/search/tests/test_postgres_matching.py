"""PostgreSQL's own matching (migration 0005's tsvector column): one tsquery over every language's terms, ranked by
PostgreSQL, title before text, and at most `ranked` matches ranked."""

import pytest
from django.db import connection

from masthead.articles.factories import make_article, paragraph
from masthead.search.models import ArticleText, TextPart, own_index_available
from masthead.search.query import parse_query

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector column exists on PostgreSQL only"),
]


def whole_parts(query: str, **kwargs):
    rows = ArticleText.objects.filter(part=TextPart.WHOLE).matching(parse_query(query).tsquery(), **kwargs)
    return [row.article.title for row in rows]


def test_postgres_searches_its_own_column(section):
    assert own_index_available()


def test_a_french_query_without_accents_matches_through_the_ored_variants(section):
    make_article(section=section, title="Réseau", body=[paragraph("L'électricité des hôpitaux.")], language="fr")
    make_article(section=section, title="Grid", body=[paragraph("Hospitals need power.")])
    assert whole_parts("electricite hopitaux") == ["Réseau"]


def test_a_match_in_the_title_ranks_first_and_ranked_caps_the_rows(section):
    make_article(section=section, title="Quiet bay", body=[paragraph("The lighthouse keeper counts the boats.")])
    make_article(section=section, title="Lighthouse keeper", body=[paragraph("Nights at the bay.")])
    assert whole_parts("lighthouse") == ["Lighthouse keeper", "Quiet bay"]
    assert len(whole_parts("lighthouse", ranked=1)) == 1
