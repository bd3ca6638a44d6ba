"""Tests of the inline-feedback JSON API: posting on a passage with CSRF, refusals, the gated passage list."""

import json

import pytest
from django.test import Client

from masthead.annotations.factories import make_inline_comment
from masthead.annotations.models import InlineAnchor
from masthead.annotations.tests.conftest import SECOND
from masthead.articles.models import AccessLevel
from masthead.discussion.factories import allow_guests
from masthead.discussion.models import Comment

pytestmark = pytest.mark.django_db

API = "/annotations/api"


def send(client, url, payload, **extra):
    return client.post(API + url, json.dumps(payload), content_type="application/json", **extra)


def passage(words: str = "leaking aqueduct") -> dict:
    start = SECOND.index(words)
    return {"block_id": "para-2", "start": start, "end": start + len(words), "exact": words,
            "prefix": SECOND[max(0, start - 32) : start], "suffix": SECOND[start + len(words) :][:32]}


def test_openapi_schema_documents_the_endpoints(client):
    paths = client.get(API + "/openapi.json").json()["paths"]
    assert "/annotations/api/articles/{article_id}/inline-comments" in paths
    assert "/annotations/api/articles/{article_id}/passages" in paths


def test_member_posts_on_a_passage_with_the_csrf_token(article, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = f"/articles/{article.pk}/inline-comments"
    refused = send(client, url, {"body": "no token", **passage()})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get(article.url)  # the page sets the csrftoken cookie
    token = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    created = send(client, url, {"body": "A *fifth*, really?", **passage()}, **token)
    assert created.status_code == 201
    data = created.json()
    assert data["visible"] is True
    assert data["comment"]["body_html"] == "<p>A <em>fifth</em>, really?</p>"
    assert data["anchor"] | {"id": 0, "created_on_revision": 0, "resolved_on_revision": 0} == {
        "id": 0, "state": "exact", "confidence": 1.0, "block_id": "para-2", "start": 21, "end": 37,
        "exact": "leaking aqueduct", "prefix": "Engineers blamed the ", "suffix": ", which loses a fifth of the wat",
        "feedback_point_id": None, "created_on_revision": 0, "resolved_on_revision": 0,
    }
    assert InlineAnchor.objects.get().comment_id == data["comment"]["id"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": 60, "end": 200}, "lies outside the text"),
        ({"start": 5, "end": 5, "exact": ""}, "The selection is empty"),
        ({"end_block_id": "para-3"}, "runs across two paragraphs"),
        ({"start": 0, "end": 5000, "exact": "x" * 5000}, "select at most 2,000"),
        ({"block_id": "no-such-block"}, "cannot be commented on"),
        ({"start": "nine"}, "start: Input should be a valid integer"),
    ],
)
def test_bad_selections_get_a_400_and_store_nothing(client, article, member, change, message):
    client.force_login(member)
    response = send(client, f"/articles/{article.pk}/inline-comments", {"body": "Hm", **passage(), **change})
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not Comment.objects.exists() and not InlineAnchor.objects.exists()


def test_malformed_json_is_a_400(client, article, member):
    client.force_login(member)
    response = client.post(f"{API}/articles/{article.pk}/inline-comments", b"{nope", content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.json()["detail"]


def test_guests_post_when_the_site_allows_them(article):
    allow_guests()
    response = send(Client(enforce_csrf_checks=True), f"/articles/{article.pk}/inline-comments",
                    {"body": "As a guest", "name": "Gus", "email": "gus@example.org", **passage()})
    assert response.status_code == 201 and response.json()["comment"]["author_name"] == "Gus"


def test_behind_a_trusted_proxy_the_forwarded_reader_is_hashed_and_limited(article, settings):
    from masthead.discussion.actions.privacy import hash_ip

    allow_guests()
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = 1

    def post(number, reader):
        guest = {"name": f"Guest {number}", "email": f"guest{number}@example.org"}
        return send(Client(), f"/articles/{article.pk}/inline-comments", {"body": f"Note {number}", **guest,
                    **passage()}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {reader}")

    assert [post(1, "203.0.113.1").status_code, post(2, "203.0.113.2").status_code] == [201, 201]
    assert post(3, "203.0.113.1").status_code == 429
    stored = set(Comment.objects.values_list("ip_hash", flat=True))
    assert stored == {hash_ip("203.0.113.1"), hash_ip("203.0.113.2")}


def test_signed_out_readers_are_asked_to_sign_in(client, article):
    response = send(client, f"/articles/{article.pk}/inline-comments", {"body": "Hi", **passage()})
    assert response.status_code == 403 and response.json()["detail"] == "Sign in to comment."


def test_passages_come_as_the_server_resolved_them(client, article):
    first = make_inline_comment(article=article, words="leaking aqueduct")
    second = make_inline_comment(article=article, words="leaking aqueduct")
    make_inline_comment(article=article, words="records began")
    data = client.get(f"{API}/articles/{article.pk}/passages").json()
    assert {"id": first.pk, "block": "para-2", "start": 21, "end": 37, "quote": "leaking aqueduct", "count": 2,
            "anchors": [first.pk, second.pk]} in data
    assert len(data) == 2


def test_a_gated_article_gives_its_passages_and_its_inline_comments_only_to_readers_of_all_of_it(
    client, article, member
):
    make_inline_comment(article=article, words="leaking aqueduct")
    article.access_level = AccessLevel.MEMBERS
    article.save_revision().publish()
    refused = client.get(f"{API}/articles/{article.pk}/passages")
    assert refused.status_code == 403 and "leaking" not in refused.content.decode()
    posted = send(client, f"/articles/{article.pk}/inline-comments", {"body": "Hi", **passage()})
    assert posted.status_code == 403
    client.force_login(member)
    assert client.get(f"{API}/articles/{article.pk}/passages").json()[0]["quote"] == "leaking aqueduct"
