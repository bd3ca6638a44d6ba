"""Where the moderation screens send an editor back to: a page of this site, never one named in the post."""

import pytest

from masthead.accounts.factories import StaffFactory
from masthead.discussion.factories import make_comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "back, expected",
    [
        ("/admin/discussion/queue/?queue=flagged", "/admin/discussion/queue/?queue=flagged"),
        ("//evil.example/", "/admin/discussion/queue/"),
        ("https://evil.example/", "/admin/discussion/queue/"),
        ("/\\evil.example", "/admin/discussion/queue/"),
        ("javascript:alert(1)", "/admin/discussion/queue/"),
    ],
)
def test_closing_a_thread_goes_back_only_to_this_site(client, article, back, expected):
    client.force_login(StaffFactory())
    comment = make_comment(article=article)
    url = f"/admin/discussion/thread/{comment.thread_id}/close/"
    response = client.post(url, {"closed": "1", "next": back})
    assert response.status_code == 302 and response["Location"] == expected
