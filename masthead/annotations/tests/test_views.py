"""Tests of the reader side: the article page's passages, quotes in the thread, the inline filter, the plain form
post, the passage panel, the JSON-LD export, and the gate on all of them."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from masthead.annotations.factories import make_feedback_point, make_inline_comment
from masthead.annotations.models import InlineAnchor
from masthead.annotations.tests.conftest import FIRST, SECOND, THIRD
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.discussion.factories import make_comment
from masthead.discussion.models import Comment

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def page_data(response) -> dict | None:
    found = re.search(r'<script id="inline-feedback-data" type="application/json">(.*?)</script>', text(response))
    return json.loads(found.group(1)) if found else None


def form_fields(words: str = "leaking aqueduct", **change) -> dict:
    start = SECOND.index(words)
    return {"body": "Is that by volume?", "block_id": "para-2", "start": str(start), "end": str(start + len(words)),
            "exact": words, **change}


def test_the_body_names_its_blocks_and_the_page_carries_the_resolved_passages(client, article):
    anchor = make_inline_comment(article=article, words="leaking aqueduct")
    make_inline_comment(article=article, words="leaking aqueduct")
    response = client.get(article.url)
    html = text(response)
    assert '<h2 id="where-the-water-goes" class="section-heading" data-block-id="heading-1">' in html
    assert 'data-block-id="para-2"><p>' + SECOND in html
    data = page_data(response)
    assert data["passages"] == [{"id": anchor.pk, "block": "para-2", "start": 21, "end": 37,
                                 "quote": "leaking aqueduct", "count": 2, "anchors": [anchor.pk, anchor.pk + 1]}]
    assert data["revision"] == ArticlePage.objects.get(pk=article.pk).live_revision_id
    assert "annotations/annotations.js" in html and 'id="inline-composer-template"' not in html  # signed out
    assert "2 comments on passages of this article." in html


def test_members_get_the_composer(client, article, member):
    client.force_login(member)
    html = text(client.get(article.url))
    assert 'id="inline-composer-template"' in html and f'action="/articles/{article.pk}/inline-feedback/post/"' in html


def test_inline_comments_show_their_quote_in_the_thread_and_orphans_say_the_passage_changed(
    client, article, republish
):
    attached = make_inline_comment(article=article, words="leaking aqueduct", body="About the pipes")
    make_inline_comment(article=article, words="contract has not yet been signed", body="About the contract")
    make_comment(article=article, body="A plain comment")
    republish(article, FIRST, SECOND)  # the third paragraph is gone
    html = text(client.get(article.url))
    assert f'<a href="{article.url}#passage-{attached.pk}" data-passage-link="{attached.pk}">this passage</a>' in html
    assert '<blockquote class="passage-quote" dir="auto">leaking aqueduct</blockquote>' in html
    assert "On a passage that has since changed:" in html
    assert '<blockquote class="passage-quote" dir="auto">contract has not yet been signed</blockquote>' in html
    assert html.count('class="comment-passage') == 2
    # The orphan is not highlighted; the page still counts it.
    assert [group["quote"] for group in page_data(client.get(article.url))["passages"]] == ["leaking aqueduct"]


def test_the_inline_feedback_filter_lists_only_comments_on_passages(client, article):
    make_inline_comment(article=article, words="leaking aqueduct", body="About the pipes")
    make_comment(article=article, body="A plain comment")
    html = text(client.get(f"/articles/{article.pk}/inline-feedback/?sort=newest"))
    assert "About the pipes" in html and "A plain comment" not in html
    assert '<a href="?sort=newest" aria-current="true">Newest</a>' in html
    assert "leaking aqueduct" in html


def test_a_plain_form_post_comments_on_a_passage_and_goes_to_the_comment(client, article, member):
    client.force_login(member)
    response = client.post(f"/articles/{article.pk}/inline-feedback/post/", form_fields())
    anchor = InlineAnchor.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/discussion/comment/{anchor.comment_id}/"
    assert anchor.quote_exact == "leaking aqueduct" and anchor.comment.body == "Is that by volume?"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": "70", "end": "200"}, "lies outside the text"),
        ({"start": "3", "end": "3", "exact": ""}, "The selection is empty"),
        ({"end_block_id": "para-3"}, "runs across two paragraphs"),
        ({"start": "0", "end": "5000", "exact": "y" * 5000}, "select at most 2,000"),
        ({"start": "", "end": "x"}, "must be whole numbers"),
    ],
)
def test_a_bad_form_post_gets_a_400_page_and_stores_nothing(client, article, member, change, message):
    client.force_login(member)
    response = client.post(f"/articles/{article.pk}/inline-feedback/post/", form_fields(**change))
    assert response.status_code == 400 and message in text(response)
    assert not Comment.objects.exists()


def test_the_form_post_needs_a_csrf_token(article, member):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(f"/articles/{article.pk}/inline-feedback/post/", form_fields()).status_code == 403


def test_the_passage_panel_lists_the_comments_on_the_same_words(client, article):
    first = make_inline_comment(article=article, words="leaking aqueduct", body="First on it")
    make_inline_comment(article=article, words="leaking aqueduct", body="Second on it")
    make_inline_comment(article=article, words="a fifth of the water", body="Elsewhere")
    html = text(client.get(f"/articles/{article.pk}/inline-feedback/passage/{first.pk}/"))
    assert "2 comments on" in html and "First on it" in html and "Second on it" in html
    assert "Elsewhere" not in html


def test_feedback_points_are_listed_with_their_question_and_answer_form(client, article, member):
    point = make_feedback_point(article=article, words="promised repairs by spring", question="Did they?")
    client.force_login(member)
    response = client.get(article.url)
    html = text(response)
    assert "The editors ask:</span> Did they?" in html
    assert f'name="feedback_point_id" value="{point.pk}"' in html
    assert page_data(response)["points"][0]["block"] == "para-3"
    answered = client.post(f"/articles/{article.pk}/inline-feedback/post/",
                           {"body": "Not yet.", "feedback_point_id": str(point.pk)})
    assert answered.status_code == 303 and InlineAnchor.objects.get().feedback_point == point


def test_the_export_is_a_web_annotation_collection(client, article):
    anchor = make_inline_comment(article=article, words="leaking aqueduct", body="About *the* pipes")
    response = client.get(f"/articles/{article.pk}/annotations.jsonld")
    assert response["Content-Type"] == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    data = response.json()
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection" and data["total"] == 1
    assert data["first"]["type"] == "AnnotationPage"
    [item] = data["first"]["items"]
    assert item["type"] == "Annotation" and item["motivation"] == "commenting"
    assert item["id"].endswith(f"/discussion/comment/{anchor.comment_id}/")
    assert item["body"] == {"type": "TextualBody", "value": "<p>About <em>the</em> pipes</p>", "format": "text/html"}
    target = item["target"]
    assert target["source"].endswith(article.url)
    assert target["selector"] == [
        {"type": "CssSelector", "value": '[data-block-id="para-2"]',
         "refinedBy": {"type": "TextPositionSelector", "start": 21, "end": 37}},
        {"type": "CssSelector", "value": '[data-block-id="para-2"]',
         "refinedBy": {"type": "TextQuoteSelector", "exact": "leaking aqueduct", "prefix": "Engineers blamed the ",
                       "suffix": ", which loses a fifth of the wat"}},
    ]
    assert target["state"]["type"] == "TimeState"


def test_the_export_keeps_only_the_quote_of_a_lost_passage(client, article, republish):
    make_inline_comment(article=article, words="contract has not yet been signed")
    republish(article, FIRST, SECOND)
    [item] = client.get(f"/articles/{article.pk}/annotations.jsonld").json()["first"]["items"]
    assert item["target"]["selector"]["type"] == "TextQuoteSelector"
    assert item["target"]["selector"]["exact"] == "contract has not yet been signed"


GATED_WORDS = "contract has not yet been signed"


@pytest.fixture
def members_article(article):
    make_inline_comment(article=article, words="leaking aqueduct", body="On the pipes")
    anchor = make_inline_comment(article=article, words=GATED_WORDS, body="On the contract")
    make_feedback_point(article=article, words="promised repairs by spring", question="Did they?")
    article = ArticlePage.objects.get(pk=article.pk)
    article.access_level = AccessLevel.MEMBERS
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk), anchor


def test_readers_kept_to_the_preview_get_no_quotes_highlights_panel_or_export(client, members_article):
    article, anchor = members_article
    channels = [
        article.url,
        f"/discussion/{article.pk}/",
        f"/articles/{article.pk}/inline-feedback/",
        f"/articles/{article.pk}/inline-feedback/passage/{anchor.pk}/",
        f"/articles/{article.pk}/annotations.jsonld",
        f"/annotations/api/articles/{article.pk}/passages",
    ]
    for url in channels:
        response = client.get(url, follow=True)
        body = text(response)
        assert GATED_WORDS not in body and "leaking aqueduct" not in body, url
        assert "inline-feedback-data" not in body and "Did they?" not in body, url
    assert client.get(f"/articles/{article.pk}/annotations.jsonld").status_code == 403
    assert client.get(f"/articles/{article.pk}/inline-feedback/passage/{anchor.pk}/").status_code == 404


def test_members_who_may_read_it_all_get_them(client, members_article, member):
    article, anchor = members_article
    client.force_login(member)
    assert GATED_WORDS in text(client.get(article.url))
    assert page_data(client.get(article.url))["passages"]
    assert client.get(f"/articles/{article.pk}/annotations.jsonld").json()["total"] == 2
    assert "On the contract" in text(client.get(f"/articles/{article.pk}/inline-feedback/"))


def _queries(client, url: str) -> int:
    client.get(url)  # first fill the caches every page shares (settings, policies)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_query_counts_stay_flat_as_inline_comments_grow(client, section, member):
    from masthead.annotations.tests.conftest import body_of
    from masthead.articles.factories import make_article
    from masthead.discussion.factories import make_comment as plain

    small = make_article(section=section, body=body_of(FIRST, SECOND, THIRD))
    large = make_article(section=section, body=body_of(FIRST, SECOND, THIRD))
    for article, count in ((small, 2), (large, 12)):
        for number in range(count):
            anchor = make_inline_comment(article=article, words=["leaking aqueduct", "records began"][number % 2])
            plain(parent=anchor.comment)
    client.force_login(member)
    for path in ("{url}", "/articles/{pk}/inline-feedback/", "/articles/{pk}/annotations.jsonld",
                 "/annotations/api/articles/{pk}/passages"):
        assert _queries(client, path.format(url=small.url, pk=small.pk)) == _queries(
            client, path.format(url=large.url, pk=large.pk)
        ), path


def test_a_cached_article_page_shows_the_passages_where_the_last_publish_put_them(client, article, republish):
    anchor = make_inline_comment(article=article, words="leaking aqueduct")
    assert page_data(client.get(article.url))["passages"][0]["start"] == 21
    assert page_data(client.get(article.url))["passages"][0]["start"] == 21  # from the cache, if it is on
    republish(article, FIRST, ("para-2", "Last week " + SECOND), THIRD)
    [moved] = page_data(client.get(article.url))["passages"]
    assert (moved["id"], moved["start"], moved["quote"]) == (anchor.pk, 21 + len("Last week "), "leaking aqueduct")
