"""The JSON API (masthead/api.py): articles as the session's reader may read them; bad input is a 400."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.membership.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db


def piece(section, level, tiers=()):
    article = make_article(
        section=section,
        body=[paragraph("Open."), {"type": "preview_cut", "value": None}, paragraph("Closed.")],
        publish=False,
    )
    article.access_level = level
    article.allowed_tiers = list(tiers)
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def test_detail_for_anonymous_and_member(client, section):
    article = piece(section, AccessLevel.MEMBERS)
    data = client.get(f"/api/articles/{article.pk}/").json()
    assert data["visibility"] == "preview" and data["is_gated"] and not data["accessible_for_free"]
    assert "Open." in data["body_html"] and "Closed." not in data["body_html"]
    client.force_login(MemberFactory().user)
    data = client.get(f"/api/articles/{article.pk}/").json()
    assert data["visibility"] == "all" and "Closed." in data["body_html"]


def test_drafts_are_not_in_the_api(client, section):
    draft = make_article(section=section, publish=False)
    assert client.get(f"/api/articles/{draft.pk}/").status_code == 404
    assert client.get("/api/articles/").json() == []


def test_bad_parameters_are_a_400(client, section):
    for query in ("limit=0", "limit=51", "offset=-1", "limit=abc"):
        response = client.get(f"/api/articles/?{query}")
        assert response.status_code == 400, query
        assert response.json()["detail"] == "Invalid request."
    assert client.get("/api/articles/notanumber/").status_code in (400, 404)


def test_list_query_count_is_flat(client, section):
    tier = TierFactory()

    def count():
        client.get("/api/articles/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/articles/").status_code == 200
        return len(queries)

    piece(section, AccessLevel.TIERS, [tier])
    few = count()
    for level in [AccessLevel.PUBLIC, AccessLevel.PAID, AccessLevel.TIERS, AccessLevel.MEMBERS] * 2:
        piece(section, level, [tier] if level == AccessLevel.TIERS else [])
    assert count() == few
    assert len(client.get("/api/articles/").json()) == 9


def test_openapi_schema_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and "/api/articles/" in response.json()["paths"]
