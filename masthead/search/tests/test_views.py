"""The search page: matches, snippets cut to what the reader may read, bad input, a flat query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.membership.factories import MemberFactory
from masthead.search.results import snippet_for

pytestmark = pytest.mark.django_db


def gated(section, *, title, opening, secret):
    piece = make_article(
        section=section,
        title=title,
        body=[paragraph(opening), {"type": "preview_cut", "value": None}, paragraph(secret)],
        publish=False,
    )
    piece.access_level = AccessLevel.MEMBERS
    piece.save_revision().publish()
    return ArticlePage.objects.get(pk=piece.pk)


def test_public_article_is_found_with_a_snippet(client, section):
    make_article(
        section=section, title="Tidal energy", body=[paragraph("Turbines under the estuary hum quietly.")]
    )
    html = client.get("/search/", {"q": "estuary"}).content.decode()
    assert "Tidal energy" in html and "Turbines under the <mark>estuary</mark> hum quietly." in html
    assert "1 result for" in html


def test_gated_words_neither_find_the_article_nor_show_in_snippets(client, section):
    gated(
        section,
        title="Salt marsh",
        opening="Reeds bend in the wind.",
        secret="Smugglers used the marsh channels.",
    )
    assert "Salt marsh" not in client.get("/search/", {"q": "smugglers"}).content.decode()
    html = client.get("/search/", {"q": "reeds"}).content.decode()
    assert "Salt marsh" in html and "Smugglers" not in html and "For members" in html
    client.force_login(MemberFactory().user)
    html = client.get("/search/", {"q": "smugglers"}).content.decode()
    assert "Salt marsh" in html and "<mark>Smugglers</mark> used the marsh channels." in html


def test_empty_and_overlong_queries(client, section):
    assert client.get("/search/").status_code == 200
    assert client.get("/search/", {"q": "   "}).status_code == 200
    response = client.get("/search/", {"q": "x" * 201})
    assert response.status_code == 400 and "at most 200 characters" in response.content.decode()


def test_snippet_is_cut_around_the_first_term():
    text = "word " * 100 + "needle " + "word " * 100
    snippet = snippet_for(text, ["needl"], "en")  # the query's terms: "needle" stemmed
    assert "<mark>needle</mark>" in snippet and snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet) < 240


def test_snippets_mark_words_as_the_index_matched_them_and_escape_the_rest():
    snippet = snippet_for("Les <centrales> électriques & l'électricité.", ["electricit"], "fr")
    assert snippet == "Les &lt;centrales&gt; électriques &amp; l&#x27;<mark>électricité</mark>."
    snippet = snippet_for("إلى الطَّاقَةِ الشمسية", ["الطاقه"], "ar")
    assert snippet == "إلى <mark>الطَّاقَةِ</mark> الشمسية"


def test_search_query_count_is_flat(client, section):
    def count():
        client.get("/search/", {"q": "harbour"})
        with CaptureQueriesContext(connection) as queries:
            client.get("/search/", {"q": "harbour"})
        return len(queries)

    gated(section, title="Harbour one", opening="The harbour at dawn.", secret="x")
    few = count()
    for n in range(6):
        gated(section, title=f"Harbour {n}", opening="The harbour at noon.", secret="y")
        make_article(section=section, title=f"Open harbour {n}", body=[paragraph("The harbour is open.")])
    assert count() == few
