"""The JSON API: thread pages, post, vote, edit, delete, report, CSRF for cookie sessions, OpenAPI, export/import."""

import json

import pytest
from django.test import Client

from masthead.accounts.factories import StaffFactory
from masthead.discussion.factories import allow_guests, make_comment
from masthead.discussion.models import Comment, Flag, Vote

pytestmark = pytest.mark.django_db

API = "/discussion/api"


def send(client, method, url, payload=None, **extra):
    body = payload if isinstance(payload, bytes) else json.dumps(payload or {})
    return client.generic(method, API + url, body, content_type="application/json", **extra)


def test_openapi_schema_documents_the_endpoints(client):
    schema = client.get(API + "/openapi.json").json()
    paths = schema["paths"]
    for path in ("/discussion/api/threads/{article_id}", "/discussion/api/threads/{article_id}/comments",
                 "/discussion/api/comments/{comment_id}/vote", "/discussion/api/comments/{comment_id}",
                 "/discussion/api/comments/{comment_id}/reports", "/discussion/api/export", "/discussion/api/import"):
        assert path in paths, path
    assert "CommentOut" in schema["components"]["schemas"]


def test_thread_is_paginated_sorted_and_nested(client, article):
    top = make_comment(article=article, body="Top *one*")
    make_comment(parent=top, body="Under it")
    data = client.get(f"{API}/threads/{article.pk}?sort=newest").json()
    assert data["comment_count"] == 2 and data["sort"] == "newest" and data["has_next"] is False
    [root] = data["comments"]
    assert root["body_html"] == "<p>Top <em>one</em></p>"
    assert root["replies"][0]["body_html"] == "<p>Under it</p>"
    assert client.get(f"{API}/threads/{article.pk}?sort=sideways").status_code == 400
    assert client.get(f"{API}/threads/{article.pk}?page=0").status_code == 400
    assert client.get(f"{API}/threads/999999").status_code == 404
    assert client.get(f"{API}/threads/{2**64}").status_code == 404
    assert client.get(f"{API}/threads/-3").status_code == 404


def test_member_posts_votes_edits_reports_and_deletes_with_csrf(article, member, other_member):
    theirs = make_comment(article=article, author=other_member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    refused = send(client, "POST", f"/threads/{article.pk}/comments", {"body": "no token"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get(article.url)  # sets the csrftoken cookie, as the page does for the script
    token = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    created = send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Via the API"}, **token)
    assert created.status_code == 201
    mine = created.json()["id"]
    reply = send(client, "POST", f"/threads/{article.pk}/comments", {"body": "A reply", "parent_id": theirs.pk}, **token)
    assert reply.json()["depth"] == 2
    voted = send(client, "POST", f"/comments/{theirs.pk}/vote", {"value": 1}, **token)
    assert voted.json()["score"] == 1
    edited = send(client, "PATCH", f"/comments/{mine}", {"body": "Edited via the API"}, **token)
    assert edited.json()["edited_at"] is not None
    reported = send(client, "POST", f"/comments/{theirs.pk}/reports", {"reason": "spam"}, **token)
    assert reported.status_code == 201 and Flag.objects.count() == 1
    assert send(client, "DELETE", f"/comments/{mine}", **token).json()["detail"] == "Deleted."
    assert not Comment.objects.filter(pk=mine).exists()


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"body": ""}, "empty"),
        ({"body": "x" * 10_001}, "10,000 characters"),
        ({"body": "```\nopen"}, "never closed"),
        ({"body": "hi", "parent_id": 999_999}, "does not exist"),
        ({"body": "hi", "parent_id": 2**63}, "does not exist"),
        ({"body": "hi", "parent_id": 10**30}, "does not exist"),
        ({"body": "hi", "parent_id": -1}, "does not exist"),
        ({"text": "wrong field"}, "body"),
        (b"\xff\xfe not utf-8", "UTF-8"),
        (b"{not json", "not valid JSON"),
    ],
)
def test_bad_api_posts_are_400_with_a_message(client, article, member, payload, message):
    client.force_login(member)
    client.get(article.url)
    response = send(client, "POST", f"/threads/{article.pk}/comments", payload)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("value", [0, 2, -5])
def test_api_vote_other_than_plus_or_minus_one_is_400(client, article, member, value):
    comment = make_comment(article=article)
    client.force_login(member)
    response = send(client, "POST", f"/comments/{comment.pk}/vote", {"value": value})
    assert response.status_code == 400 and "+1" in response.json()["detail"]
    assert Vote.objects.count() == 0


def test_guest_posts_without_a_session_need_no_csrf(article):
    allow_guests()
    client = Client(enforce_csrf_checks=True)
    response = send(client, "POST", f"/threads/{article.pk}/comments",
                    {"body": "As a guest", "name": "Gus", "email": "gus@example.org"})
    assert response.status_code == 201 and response.json()["author_name"] == "Gus"


GUEST = {"name": "Gus", "email": "gus@example.org"}


def test_an_unpublished_or_restricted_article_is_gone_from_the_api_at_once(article):
    from wagtail.models import PageViewRestriction

    allow_guests()
    client = Client()
    # Read and posted once: this process now keeps the article's facts under the current content stamp.
    assert client.get(f"{API}/threads/{article.pk}").status_code == 200
    assert send(client, "POST", f"/threads/{article.pk}/comments", {"body": "First", **GUEST}).status_code == 201
    restriction = PageViewRestriction.objects.create(page=article.get_parent(), restriction_type="login")
    assert client.get(f"{API}/threads/{article.pk}").status_code == 404
    assert send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Second", **GUEST}).status_code == 404
    restriction.delete()
    assert send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Third", **GUEST}).status_code == 201
    article.refresh_from_db()  # the factory's instance predates its publication
    article.unpublish()
    assert send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Fourth", **GUEST}).status_code == 404
    assert list(Comment.objects.order_by("pk").values_list("body", flat=True)) == ["First", "Third"]


def test_a_saved_policy_applies_to_the_next_api_post_at_once(article):
    from masthead.discussion.factories import set_policy
    from masthead.discussion.models import WhoMayComment

    allow_guests()
    client = Client()
    assert send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Allowed", **GUEST}).status_code == 201
    set_policy(who_may_comment=WhoMayComment.MEMBERS)  # replaces the content stamp every process reads
    refused = send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Not any more", **GUEST})
    assert refused.status_code == 403 and refused.json()["detail"] == "Sign in to comment."
    allow_guests(hold=True)
    held = send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Held now", **GUEST})
    assert held.status_code == 201 and held.json()["status"] == "pending"


def test_a_guest_api_post_writes_in_one_short_transaction_and_shows_in_the_next_thread_read(article, settings):
    # The rate limits' counts in memory (Redis or a database table otherwise): what is counted is the post's.
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.MASTHEAD_RATE_LIMITS_IN = "cache"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    allow_guests()
    client = Client()
    send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Warms the caches", **GUEST})
    assert client.get(f"{API}/threads/{article.pk}").json()["comment_count"] == 1  # cached under this version
    with CaptureQueriesContext(connection) as captured:
        reply = send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Hello", "name": "Ann",
                                                                          "email": "ann@example.org"})
    assert reply.status_code == 201
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    reads, writes = statements[: statements.index("SAVEPOINT")], statements[statements.index("SAVEPOINT"):]
    # A few reads (the view restrictions, the article with its thread, the site and its gate settings, the
    # rules' one query), then the same transaction on every database: the row, its root, the thread's counters
    # (the savepoint pair is the test's own transaction making atomic() a savepoint).
    assert set(reads) == {"SELECT"} and len(reads) <= 6
    assert writes == ["SAVEPOINT", "INSERT", "UPDATE", "UPDATE", "RELEASE"]
    thread = client.get(f"{API}/threads/{article.pk}").json()
    assert thread["comment_count"] == 2 and [c["id"] for c in thread["comments"]][-1] == reply.json()["id"]


def test_a_guest_post_counts_its_rate_limits_in_one_statement_each(article):
    """Without Redis the limits are rows of their own: one UPDATE each once the poster has been seen."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    allow_guests()
    client = Client()
    send(client, "POST", f"/threads/{article.pk}/comments", {"body": "First", **GUEST})
    with CaptureQueriesContext(connection) as captured:
        reply = send(client, "POST", f"/threads/{article.pk}/comments", {"body": "Second", **GUEST})
    assert reply.status_code == 201
    counters = [q["sql"] for q in captured.captured_queries if "core_ratecounter" in q["sql"]]
    assert len(counters) == 2 and all(sql.startswith("UPDATE") for sql in counters)
    assert len(captured.captured_queries) <= 14


def test_export_and_import_round_trip(client, section, article, member, other_member):
    from masthead.articles.factories import make_article
    from masthead.discussion.interchange import import_threads

    top = make_comment(article=article, author=member, body="Exported top")
    reply = make_comment(parent=top, author=other_member, body="Exported reply")
    Vote.objects.create(comment=reply, voter=member, value=1)
    make_comment(article=make_article(section=section), body="Elsewhere")
    client.force_login(StaffFactory())
    assert send(Client(), "GET", "/export").status_code == 403
    exported = client.get(f"{API}/export?article_id={article.pk}").json()
    assert exported["format"] == "masthead-comments"
    [thread] = exported["threads"]
    assert [c["body"] for c in thread["comments"]] == ["Exported top", "Exported reply"]
    assert "ip_hash" not in json.dumps(exported)

    Comment.objects.filter(thread__page=article).order_by("-depth").delete()
    assert import_threads(exported) == 2
    assert import_threads(exported) == 0  # a second import adds nothing
    imported_reply = Comment.objects.get(body="Exported reply")
    assert imported_reply.parent.body == "Exported top" and imported_reply.author == other_member
    assert imported_reply.score == 1 and imported_reply.votes.count() == 1

    bad = dict(exported, version=99)
    response = client.post(f"{API}/import", json.dumps(bad), content_type="application/json")
    assert response.status_code == 400 and "version 1" in response.json()["detail"]


def test_import_is_all_or_nothing(article):
    from masthead.discussion.errors import DiscussionError
    from masthead.discussion.interchange import import_threads

    data = {
        "format": "masthead-comments", "version": 1,
        "threads": [{"article": {"url_path": article.url_path}, "comments": [
            {"id": 1, "parent_id": None, "author_name": "A", "author_email": "a@example.org", "member": False,
             "body": "fine", "status": "approved", "created_at": "2024-01-01T10:00:00+00:00"},
            {"id": 2, "parent_id": 7, "author_name": "B", "author_email": "", "member": False,
             "body": "orphan", "status": "approved", "created_at": "2024-01-01T11:00:00+00:00"},
        ]}],
    }
    with pytest.raises(DiscussionError, match="replies to 7"):
        import_threads(data)
    assert Comment.objects.count() == 0
