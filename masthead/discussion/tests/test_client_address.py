"""Behind a trusted proxy, comment rate limits and IP hashes are the forwarded reader's, not the proxy's."""

import json

import pytest
from django.test import Client

from masthead.discussion.actions.privacy import hash_ip
from masthead.discussion.factories import allow_guests, make_comment
from masthead.discussion.models import Comment, Flag

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
READER_A = "203.0.113.10"
READER_B = "2001:db8::b"


@pytest.fixture(autouse=True)
def _behind_nginx(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = 2


def via_proxy(reader: str, spoofed: str = "") -> dict:
    chain = f"{spoofed}, {reader}" if spoofed else reader
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def post_form(article, number: int, reader: str, **extra):
    guest = {"name": f"Guest {number}", "email": f"guest{number}@example.org"}
    data = {"body": f"Comment {number}", **guest}
    return Client().post(f"/discussion/{article.pk}/post/", data, **via_proxy(reader, **extra))


def post_api(article, number: int, reader: str):
    payload = {"body": f"Comment {number}", "name": f"Guest {number}", "email": f"guest{number}@example.org"}
    return Client().post(
        f"/discussion/api/threads/{article.pk}/comments",
        json.dumps(payload),
        content_type="application/json",
        **via_proxy(reader),
    )


def test_two_readers_behind_one_proxy_are_limited_separately_through_the_form(article):
    allow_guests()
    # Different guests each time, so only the per-address count can refuse.
    assert [post_form(article, n, READER_A).status_code for n in range(3)] == [303, 303, 429]
    assert [post_form(article, n, READER_B).status_code for n in range(3, 6)] == [303, 303, 429]
    assert Comment.objects.count() == 4


def test_a_reader_cannot_escape_the_limit_by_writing_x_forwarded_for(article):
    allow_guests()
    statuses = [post_form(article, n, READER_A, spoofed=f"198.51.100.{n}").status_code for n in range(3)]
    assert statuses == [303, 303, 429]


def test_the_ip_hash_on_a_comment_is_the_forwarded_readers(article):
    allow_guests()
    post_form(article, 1, READER_A, spoofed="198.51.100.66")
    post_api(article, 2, READER_B)
    stored = dict(Comment.objects.values_list("guest_email", "ip_hash"))
    assert stored == {"guest1@example.org": hash_ip(READER_A), "guest2@example.org": hash_ip(READER_B)}
    assert hash_ip(PROXY) not in stored.values()


def test_two_readers_behind_one_proxy_are_limited_separately_through_the_api(article):
    allow_guests()
    assert [post_api(article, n, READER_A).status_code for n in range(3)] == [201, 201, 429]
    assert [post_api(article, n, READER_B).status_code for n in range(3, 5)] == [201, 201]


def test_a_report_stores_the_forwarded_readers_hash(article, member):
    comment = make_comment(article=article, body="Reported words")
    client = Client()
    client.force_login(member)
    response = client.post(
        f"/discussion/api/comments/{comment.pk}/reports",
        json.dumps({"reason": "off_topic"}),
        content_type="application/json",
        **via_proxy(READER_A),
    )
    assert response.status_code == 201, response.content
    assert Flag.objects.get().reporter_ip_hash == hash_ip(READER_A)


def test_without_trusted_proxies_the_header_is_ignored(article, settings):
    settings.MASTHEAD_TRUSTED_PROXIES = []
    allow_guests()
    post_form(article, 1, READER_A)
    assert Comment.objects.get().ip_hash == hash_ip(PROXY)
