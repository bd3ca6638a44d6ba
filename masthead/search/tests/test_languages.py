"""Issue 15's search: Arabic with and without diacritics, French with and without accents, English stemming,
authors and topics by name, comments by their words (only where the reader may read the discussion),
filters, pages, and "did you mean"."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from masthead.accounts.factories import UserFactory
from masthead.articles.factories import AuthorFactory, TopicFactory, make_article, make_section, paragraph
from masthead.articles.models import AccessLevel
from masthead.discussion.factories import make_comment
from masthead.discussion.models import CommentStatus
from masthead.membership.factories import MemberFactory
from masthead.search import results

pytestmark = pytest.mark.django_db

ARABIC_BODY = "تعمل الطاقة الشمسية في أسوان على تشغيل المستشفى الجديد."
FRENCH_BODY = "Les centrales électriques de la vallée fournissent l'électricité des hôpitaux."


@pytest.fixture
def comment_on(django_capture_on_commit_callbacks):
    """make_comment, with what is queued on commit run (the test's transaction never commits): indexing."""

    def make(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return make_comment(**kwargs)

    return make


def search(client, **params):
    return client.get("/search/", params).content.decode()


@pytest.fixture
def arabic(section):
    return make_article(section=section, title="الطاقة في الجنوب", body=[paragraph(ARABIC_BODY)], language="ar")


@pytest.fixture
def french(section):
    return make_article(section=section, title="Le barrage", body=[paragraph(FRENCH_BODY)], language="fr")


@pytest.mark.parametrize("query", ["الطَّاقَةُ الشَّمْسِيَّةُ", "الطاقة الشمسية", "الطاقه الشمسيه", "اسوان", "المستشفي"])
def test_an_arabic_query_finds_the_article_with_and_without_diacritics(client, arabic, query):
    html = search(client, q=query)
    assert "الطاقة في الجنوب" in html and "1 result for" in html
    assert "<mark>" in html


@pytest.mark.parametrize("query", ["électricité", "electricite", "ELECTRICITE", "centrale électrique", "hopitaux"])
def test_a_french_query_finds_the_article_with_and_without_accents(client, french, query):
    html = search(client, q=query)
    assert "Le barrage" in html and "1 result for" in html


def test_english_words_match_their_other_forms(client, section):
    make_article(section=section, title="Tidal energy", body=[paragraph("Turbines under the estuary hum.")])
    html = search(client, q="turbine humming")
    assert "Tidal energy" in html and "<mark>Turbines</mark>" in html and "<mark>hum</mark>" in html


def test_an_author_and_a_topic_are_found_by_name(client, section):
    author = AuthorFactory(name="Ingrid Vollan")
    topic = TopicFactory(name="Hydropower", slug="hydropower")
    make_article(section=section, title="Dams", authors=[author], topics=[topic])
    html = search(client, q="Vollan")
    assert author.get_absolute_url() in html
    html = search(client, q="hydropower")
    assert topic.get_absolute_url() in html


def test_a_comment_is_found_by_its_words_and_listed_apart(client, section, comment_on):
    article = make_article(section=section, title="Tidal energy")
    comment_on(article=article, body="The salmon ladders were never mentioned.")
    html = search(client, q="salmon ladder")
    assert "<mark>salmon</mark> <mark>ladders</mark>" in html and "Tidal energy" in html
    assert "Comments" in html and "1 result for" in html  # the comment is no article result


def test_a_comment_is_found_only_by_readers_of_its_discussion(client, section, comment_on):
    article = make_article(section=section, title="Members only", publish=False)
    article.access_level = AccessLevel.MEMBERS
    article.save_revision().publish()
    comment_on(article=article, body="Kelp forests recover slowly.")
    comment_on(article=article, body="Kelp spam, held back.", status=CommentStatus.SPAM)
    assert "recover" not in search(client, q="kelp")
    client.force_login(MemberFactory().user)
    html = search(client, q="kelp")
    assert "<mark>Kelp</mark> forests recover" in html and "spam" not in html


def test_a_moderator_finds_every_comment(client, section, comment_on):
    article = make_article(section=section, title="Tidal energy")
    comment_on(article=article, body="Kelp spam, held back.", status=CommentStatus.SPAM)
    comment_on(article=article, body="Kelp pending approval.", status=CommentStatus.PENDING)
    assert "Kelp" not in search(client, q="kelp")
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    html = search(client, q="kelp")
    assert "spam, held back" in html and "pending approval" in html


def test_filters_narrow_the_articles(client, section, arabic, french):
    other_section = make_section(title="Energy", slug="energy")
    topic = TopicFactory(name="Rivers", slug="rivers")
    author = AuthorFactory(name="Lina Haddad", slug="lina-haddad")
    make_article(
        section=other_section,
        title="River turbines",
        body=[paragraph("Turbines in the river.")],
        topics=[topic],
        authors=[author],
        published_at=timezone.make_aware(datetime(2024, 3, 5, 12, 0)),
    )
    make_article(section=section, title="Wind turbines", body=[paragraph("Turbines on the hill.")])
    assert "2 results for" in search(client, q="turbines")
    assert "River turbines" in search(client, q="turbines", section=other_section.pk)
    assert "Wind turbines" not in search(client, q="turbines", section=other_section.pk)
    assert "1 result for" in search(client, q="turbines", topic="rivers")
    assert "1 result for" in search(client, q="turbines", author="lina-haddad")
    assert "1 result for" in search(client, q="turbines", published_from="2024-03-01", published_to="2024-03-31")
    assert "0 results for" in search(client, q="turbines", language="fr")
    assert "Le barrage" in search(client, q="electricite", language="fr")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"topic": "no-such-topic"}, "Select a valid choice"),
        ({"published_from": "2024-13-45"}, "Enter a valid date"),
        ({"published_from": "2024-05-01", "published_to": "2024-04-01"}, "comes after"),
        ({"page": "zero"}, "Enter a whole number"),
    ],
)
def test_bad_filters_get_a_message(client, section, params, message):
    response = client.get("/search/", {"q": "turbines", **params})
    assert response.status_code == 400 and message in response.content.decode()


def test_results_come_in_pages(client, section, settings):
    for number in range(results.PAGE_SIZE + 3):
        make_article(section=section, title=f"Harbour note {number}", body=[paragraph("The harbour at dawn.")])
    first = search(client, q="harbour")
    assert f"{results.PAGE_SIZE + 3} results for" in first and "Page 1 of 2" in first and 'rel="next"' in first
    second = search(client, q="harbour", page=2)
    assert second.count('class="search-result"') == 3 and 'rel="prev"' in second


def test_did_you_mean_suggests_a_known_word_that_finds_something(client, section):
    make_article(section=section, title="Tidal energy", body=[paragraph("Turbines under the estuary hum.")])
    html = search(client, q="turbnes")
    assert "Did you mean" in html and ">turbines</a>" in html


def test_did_you_mean_never_suggests_a_gated_word(client, section):
    article = make_article(
        section=section,
        title="Brimstone harbour",
        body=[paragraph("Keepers count."), {"type": "preview_cut", "value": None}, paragraph("Zanzibar cargo.")],
        publish=False,
    )
    article.access_level = AccessLevel.PAID
    article.save_revision().publish()
    html = search(client, q="Zanzibr")
    assert "Did you mean" not in html and "zanzibar" not in html.lower().split('class="result-count"', 1)[1]
