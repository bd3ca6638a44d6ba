"""No search box input reaches the database as query syntax: odd input gets a page, never a 500."""

import unicodedata

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from masthead.articles.factories import make_article, paragraph
from masthead.search.query import parse_query

pytestmark = pytest.mark.django_db

ODD_INPUT = [
    'q="a" "',
    '"',
    '""',
    '"unterminated phrase',
    "'",
    "***",
    "-",
    "a*",
    "(estuary",
    "estuary)",
    "NEAR(estuary tidal)",
    "estuary AND",
    "OR",
    "NOT estuary",
    "title:estuary",
    "^estuary",
    "estuary\x00",
    "\\",
    "%_%",
    "e" * 200,
    "مد وجزر",
    "🌊 estuary",
]


@pytest.mark.parametrize("query", ODD_INPUT)
def test_odd_input_never_fails(client, section, query):
    make_article(section=section, title="Tidal energy", body=[paragraph("Turbines under the estuary hum.")])
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    words = {word.lower() for word in parse_query(query).words}
    if words and words == {"estuary"}:  # only the article's word: it is found, operators ignored
        assert "Tidal energy" in response.content.decode()


def test_a_quoted_phrase_matches_only_words_in_that_order(client, section):
    make_article(section=section, title="Tidal energy", body=[paragraph("Turbines under the estuary hum.")])
    # Not "under": English stemming on PostgreSQL drops it as a stop word.
    assert "Tidal energy" in client.get("/search/", {"q": '"turbines under the estuary"'}).content.decode()
    html = client.get("/search/", {"q": '"estuary turbines"'}).content.decode()
    assert "Tidal energy" not in html or "No exact match" in html  # a near match on PostgreSQL


@given(st.text(max_size=60))
@hypothesis_settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_parsed_queries_hold_only_words(text):
    parsed = parse_query(text)
    for word in parsed.words:
        assert word and all(
            character.isalnum() or character == "_" or unicodedata.combining(character) or character == "\u0640"
            for character in word
        )
    for phrase in parsed.phrases:
        assert '"' not in phrase
