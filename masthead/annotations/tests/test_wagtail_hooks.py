"""Tests of inline feedback in the Wagtail admin: lost passages on the edit page, and editors' feedback points."""

import pytest

from masthead.accounts.factories import StaffFactory
from masthead.annotations.factories import make_inline_comment
from masthead.annotations.models import AnchorState, FeedbackPoint
from masthead.annotations.tests.conftest import FIRST, SECOND

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


# --- Placing a feedback point by selecting words in the published text (issue 12) --------------------------------


def place_url(article) -> str:
    return f"/admin/inline-feedback/article/{article.pk}/feedback-points/"


def test_the_place_page_shows_the_published_text_by_block(client, editor, article):
    html = client.get(place_url(article)).content.decode()
    assert f'<p data-block-id="para-2">{SECOND}</p>' in html
    assert 'name="csrfmiddlewaretoken"' in html and "annotations/admin_place.js" in html
    assert "<script>" not in html.split("annotations/admin_place.js")[0].rsplit("nice-padding", 1)[-1]
    edit_page = client.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert place_url(article) in edit_page  # "Ask readers about a passage" in the page's menu


def test_an_editor_places_a_feedback_point_on_selected_words(client, editor, article):
    start = SECOND.index("leaking aqueduct")
    response = client.post(place_url(article), {
        "question": "Have you seen the leak?", "block_id": "para-2", "start": start,
        "end": start + len("leaking aqueduct"), "exact": "leaking aqueduct",
        "prefix": SECOND[:start][-32:], "suffix": SECOND[start + 16:][:32],
    })
    assert response.status_code == 302
    point = FeedbackPoint.objects.get()
    assert (point.question, point.block_id, point.quote_exact, point.created_by) == (
        "Have you seen the leak?", "para-2", "leaking aqueduct", editor
    )
    assert (point.position_start, point.position_end) == (start, start + 16)
    article.refresh_from_db()
    assert point.revision_id == article.live_revision_id
    # Readers see it beside the words.
    client.logout()
    page = client.get(article.url).content.decode()
    assert "Have you seen the leak?" in page


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"exact": "not in the text", "start": 0, "end": 15}, ""),
        ({"start": "x", "end": 3, "exact": "Eng"}, ""),
        ({"question": ""}, "Write the question"),
        ({"block_id": "para-9"}, ""),
    ],
)
def test_a_bad_selection_is_refused_with_a_message_and_nothing_written(client, editor, article, fields, message):
    form = {"question": "Why?", "block_id": "para-2", "start": 0, "end": 9, "exact": "Engineers", **fields}
    response = client.post(place_url(article), form)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() and message in response.content.decode()
    assert not FeedbackPoint.objects.exists()


def test_members_cannot_place_feedback_points(client, article, member):
    client.force_login(member)
    assert client.get(place_url(article)).status_code in (302, 403)
    client.post(place_url(article), {"question": "Why?", "block_id": "para-2", "start": 0, "end": 9,
                                     "exact": "Engineers"})
    assert not FeedbackPoint.objects.exists()
