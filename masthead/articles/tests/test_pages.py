"""What readers get from the article, home, section, author, topic and archive pages."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Revision

from masthead.articles.factories import (
    AuthorFactory,
    ImageFactory,
    SourceOutletFactory,
    TopicFactory,
    make_article,
    make_section,
    paragraph,
)

pytestmark = pytest.mark.django_db


def page_text(client, url) -> str:
    """The page's HTML with no-break spaces (Django keeps "12 years" on one line) as plain spaces."""
    return client.get(url).content.decode().replace("\xa0", " ")


def test_article_page_shows_what_a_reader_expects(client, section):
    author = AuthorFactory(name="Mira Castellan", bio="Mira Castellan covers water utilities.")
    topic = TopicFactory(name="Water")
    article = make_article(
        section=section,
        title="The cost of a leaking main",
        standfirst="Fixing pipes beats building plants, up to a point.",
        authors=[author],
        topics=[topic],
        published_at=datetime(2014, 3, 2, 9, 0, tzinfo=timezone.utc),
        body=[
            {"type": "section_heading", "value": "Where the water goes"},
            paragraph("A third of the water never reaches a tap."),
            {"type": "block_quote", "value": {"quote": "We lose it underground.", "attribution": "An engineer"}},
            {"type": "pull_quote", "value": "Leaks are a supply."},
        ],
    )
    html = page_text(client, article.url)
    assert "<h1 class=\"article-title\">The cost of a leaking main</h1>" in html
    assert "Fixing pipes beats building plants, up to a point." in html
    assert 'rel="author">Mira Castellan</a>' in html
    assert 'datetime="2014-03-02T09:00:00+00:00"' in html
    assert "March 2, 2014" in html
    assert "12 years ago" in html
    assert f'href="{topic.get_absolute_url()}">Water</a>' in html
    # Each anchorable block names its StreamField block id, for inline feedback (masthead.annotations).
    assert re.search(r'<h2 id="where-the-water-goes" class="section-heading" data-block-id="[0-9a-f-]{36}">'
                     r"Where the water goes</h2>", html)
    assert "A third of the water never reaches a tap." in html
    assert "— An engineer" in html
    assert 'class="pull-quote"' in html
    assert "Mira Castellan covers water utilities." in html
    assert "View on" not in html
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{article.url}">' in html


def test_republished_article_links_back_to_the_original(client, section):
    outlet = SourceOutletFactory(name="Tidewater Institute")
    article = make_article(
        section=section, source_outlet=outlet, original_url="https://tidewater.example.org/papers/leaks"
    )
    html = client.get(article.url).content.decode()
    assert '<link rel="canonical" href="https://tidewater.example.org/papers/leaks">' in html
    assert (
        '<a class="original-link" href="https://tidewater.example.org/papers/leaks" rel="noopener">'
        "View on Tidewater Institute website</a>"
    ) in html
    assert "Republished from Tidewater Institute" in html


def test_arabic_article_is_right_to_left_with_localised_dates(client, section):
    article = make_article(section=section, language="ar", published_at=datetime(2020, 5, 1, tzinfo=timezone.utc))
    html = page_text(client, article.url)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<article class="article" lang="ar" dir="rtl">' in html
    assert "1 مايو 2020" in html
    assert "قبل 6 سنوات" in html  # "6 years ago" with Arabic's plural for three to ten


def test_french_article_dates_are_french(client, section):
    article = make_article(section=section, language="fr", published_at=datetime(2021, 2, 3, tzinfo=timezone.utc))
    html = page_text(client, article.url)
    assert "3 février 2021" in html
    assert "il y a 5" in html


def _article_page_queries(client, article) -> int:
    client.get(article.url)  # the first view generates renditions; measure the steady state
    with CaptureQueriesContext(connection) as queries:
        assert client.get(article.url).status_code == 200
    return len(queries)


def test_article_page_query_count_does_not_grow_with_authors_topics_or_blocks(client, section):
    def body(blocks: int) -> list[dict]:
        stream = []
        for number in range(blocks):
            stream.append(paragraph(f"Paragraph {number}."))
            stream.append({"type": "section_heading", "value": f"Heading {number}"})
            stream.append(
                {"type": "image", "value": {"image": ImageFactory().pk, "caption": "c", "credit": "", "alt_text": ""}}
            )
        return stream

    small = make_article(
        section=section,
        authors=[AuthorFactory()],
        topics=[TopicFactory()],
        body=body(1),
        lead_image=ImageFactory(),
        source_outlet=SourceOutletFactory(),
        original_url="https://example.org/a",
    )
    large = make_article(
        section=section,
        authors=[AuthorFactory() for _ in range(6)],
        topics=[TopicFactory() for _ in range(8)],
        body=body(25),
        lead_image=ImageFactory(),
        source_outlet=SourceOutletFactory(),
        original_url="https://example.org/b",
    )
    small_count = _article_page_queries(client, small)
    assert _article_page_queries(client, large) == small_count
    assert small_count < 25


def test_home_page_has_lead_latest_and_sections(client):
    economy = make_section("Economy", "economy")
    energy = make_section("Energy", "energy")
    make_article(section=economy, title="Newest of all", published_at=datetime.now(timezone.utc))
    older = [make_article(section=energy, title=f"Energy piece {n}") for n in range(3)]
    html = client.get("/").content.decode()
    assert html.index("Newest of all") < html.index("Latest")
    for article in older:
        assert article.title in html
    assert '<a href="/economy/">Economy</a></h2>' in html
    assert html.index('<p class="kicker">Economy') < html.index("Latest")  # the lead card names its section


def test_home_page_query_count_is_flat(client):
    economy = make_section("Economy", "economy")
    make_article(section=economy, lead_image=ImageFactory())
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(15):
        make_article(section=economy, lead_image=ImageFactory(), authors=[AuthorFactory(), AuthorFactory()])
    client.get("/")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


def test_author_page_lists_their_articles_only(client, section):
    author = AuthorFactory(name="Jonas Pell", bio="Jonas Pell reads budgets.")
    theirs = make_article(section=section, authors=[author], title="Budgets in election years")
    others = make_article(section=section, title="Someone else's piece")
    response = client.get(author.get_absolute_url())
    html = response.content.decode()
    assert "Jonas Pell reads budgets." in html
    assert theirs.title in html and others.title not in html


def test_topic_page_lists_tagged_articles(client, section):
    topic = TopicFactory(name="Housing")
    tagged = make_article(section=section, topics=[topic], title="Rents and commutes")
    untagged = make_article(section=section, title="Grid storage")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert tagged.title in html and untagged.title not in html


def test_archive_by_year_and_month(client, section):
    march = make_article(section=section, title="March piece", published_at=datetime(2019, 3, 10, tzinfo=timezone.utc))
    may = make_article(section=section, title="May piece", published_at=datetime(2019, 5, 10, tzinfo=timezone.utc))
    later = make_article(section=section, title="Later piece", published_at=datetime(2021, 1, 1, tzinfo=timezone.utc))
    index = client.get("/archive/").content.decode()
    assert 'href="/archive/2019/3/"' in index and 'href="/archive/2021/1/"' in index
    year = client.get("/archive/2019/").content.decode()
    assert march.title in year and may.title in year and later.title not in year
    month = client.get("/archive/2019/3/").content.decode()
    assert march.title in month and may.title not in month


def test_section_page_paginates(client, section, settings):
    settings.MASTHEAD_PAGE_SIZE = 2
    for _ in range(5):
        make_article(section=section)
    assert client.get(section.url).status_code == 200
    assert client.get(section.url + "?page=3").status_code == 200
    assert client.get(section.url + "?page=4").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-page/",
        "/analysis/no-such-article/",
        "/authors/nobody/",
        "/topics/nothing/",
        "/archive/2019/13/",
        "/archive/2019/0/",
        "/archive/99999/1/",
        "/analysis/?page=abc",
        "/analysis/?page=-1",
        "/analysis/?page=99999999999999999999",
        "/topics/x/?page=%00",
        "/feeds/topics/nothing/rss/",
        "/feeds/authors/nobody/atom/",
    ],
)
def test_bad_addresses_get_the_styled_404(client, section, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_drafts_are_not_shown(client, section):
    draft = make_article(section=section, title="Draft piece", publish=False)
    assert "Draft piece" not in client.get("/").content.decode()
    assert client.get(f"/{section.slug}/{draft.slug}/").status_code == 404


def test_scheduled_article_appears_when_its_time_comes(client, section):
    article = make_article(section=section, title="Embargoed piece", publish=False)
    article.go_live_at = datetime.now(timezone.utc) + timedelta(hours=2)
    article.save_revision().publish()
    article.refresh_from_db()
    assert not article.live
    assert "Embargoed piece" not in client.get("/").content.decode()

    # Two hours pass: move the scheduled time into the past instead of waiting.
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    revision = Revision.objects.get(object_id=str(article.pk), approved_go_live_at__isnull=False)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    call_command("publish_scheduled")
    assert "Embargoed piece" in client.get("/").content.decode()
    assert client.get(article.url).status_code == 200


def test_relative_time_is_computed_at_request_time(client, section):
    article = make_article(section=section, published_at=datetime.now(timezone.utc) - timedelta(days=800))
    assert "(2 years ago)" in page_text(client, article.url)
