"""Tests of inline feedback in the Wagtail admin: lost passages on the edit page, and editors' feedback points."""

import pytest

from masthead.accounts.factories import StaffFactory
from masthead.annotations.factories import make_inline_comment
from masthead.annotations.models import AnchorState, FeedbackPoint
from masthead.annotations.tests.conftest import FIRST

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    staff = StaffFactory()
    client.force_login(staff)
    return staff


def test_the_edit_page_says_how_many_inline_comments_lost_their_passage(client, editor, article, republish):
    for words in ("contract has not yet been signed", "promised repairs by spring", "leaking aqueduct",
                  "lowest level since records began"):
        make_inline_comment(article=article, words=words, body=f"On “{words}”")
    republish(article, FIRST)  # the second and third paragraphs are gone
    html = client.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert "3 inline comments lost their passage after an edit." in html
    listing = client.get(f"/admin/inline-feedback/article/{article.pk}/orphaned/").content.decode()
    assert "contract has not yet been signed" in listing and "On “leaking aqueduct”" in listing
    assert "lowest level since records began" not in listing


def test_no_message_when_every_passage_is_attached(client, editor, article):
    make_inline_comment(article=article, words="leaking aqueduct")
    assert "lost" not in client.get(f"/admin/pages/{article.pk}/edit/").content.decode()


def test_members_cannot_see_the_lost_passages(client, article, member):
    client.force_login(member)
    assert client.get(f"/admin/inline-feedback/article/{article.pk}/orphaned/").status_code in (302, 403)


def test_editors_place_a_feedback_point_by_quoting_the_article(client, editor, article):
    url = "/admin/snippets/annotations/feedbackpoint/add/"
    data = {"article": article.pk, "question": "Were you affected by the leak?", "is_open": "on"}
    refused = client.post(url, {**data, "passage_text": "words that are not there"})
    assert refused.status_code == 200 and "not in the published article" in refused.content.decode()
    twice = client.post(url, {**data, "passage_text": "the"})
    assert "occur more than once" in twice.content.decode()
    created = client.post(url, {**data, "passage_text": "the leaking aqueduct"})
    assert created.status_code == 302
    point = FeedbackPoint.objects.get()
    assert (point.block_id, point.quote_exact, point.state) == ("para-2", "the leaking aqueduct", AnchorState.EXACT)
    assert point.created_by == editor
