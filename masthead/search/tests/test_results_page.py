"""What a result shows (section, byline, date), authors found by name, and typo tolerance where the backend has it."""

from datetime import datetime

import pytest
from django.utils import timezone

from masthead.articles.factories import AuthorFactory, make_article, paragraph

pytestmark = pytest.mark.django_db


def test_a_result_shows_section_byline_and_date(client, section):
    author = AuthorFactory(name="Ingrid Vollan")
    make_article(
        section=section,
        title="Tidal energy",
        body=[paragraph("Turbines under the estuary hum.")],
        authors=[author],
        published_at=timezone.make_aware(datetime(2024, 3, 5, 12, 0)),
    )
    html = client.get("/search/", {"q": "estuary"}).content.decode()
    assert "Ingrid Vollan" in html and author.get_absolute_url() in html
    assert '<time datetime="2024-03-05' in html
    assert section.title in html


def test_an_author_is_found_by_name_and_links_to_their_page(client, section):
    author = AuthorFactory(name="Ingrid Vollan", role="Energy correspondent")
    html = client.get("/search/", {"q": "vollan"}).content.decode()
    assert author.get_absolute_url() in html and "Energy correspondent" in html
    assert "1 result for" in html


def test_the_search_box_is_styled(client, section):
    html = client.get("/search/").content.decode()
    assert "search/search.css" in html and 'type="search"' in html
    assert client.get("/static/search/search.css").status_code in (200, 404)  # served by whitenoise when collected


def test_a_typo_finds_near_matches_through_did_you_mean(client, section):
    # pg_trgm ranks the vocabulary on PostgreSQL, difflib elsewhere: the same page on both.
    make_article(section=section, title="Tidal energy", body=[paragraph("Turbines under the estuary hum.")])
    html = client.get("/search/", {"q": "estaury"}).content.decode()
    assert "Tidal energy" in html and "No exact match" in html and "near match" in html
    assert ">estuary</a>" in html and "<mark>estuary</mark>" in html
