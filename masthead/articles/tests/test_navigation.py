"""Finding one's way: the header's call to action and current section, the authors and topics indexes, the
archive's counts per month (issue 12, rough edges: home and navigation)."""

import re
from datetime import datetime, timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from masthead.articles.factories import AuthorFactory, TopicFactory, make_article, make_section

pytestmark = pytest.mark.django_db


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def main_nav(html: str) -> str:
    return re.search(r'<nav class="site-nav" aria-label="Main">(.*?)</nav>', html, re.S).group(1)


def test_header_offers_subscribe_leading_to_the_newsletter_sign_up(client, section):
    make_article(section=section)
    for url in ("/", section.url, "/archive/"):
        assert '<a class="subscribe-link" href="/subscribe/">Subscribe</a>' in html_of(client, url)
    assert 'href="/subscribe/" aria-current="page">Subscribe</a>' in html_of(client, "/subscribe/")


def test_the_current_section_is_marked_in_the_navigation(client):
    economy = make_section("Economy", "economy")
    energy = make_section("Energy", "energy")
    article = make_article(section=energy, title="Grid storage")

    home_nav = main_nav(html_of(client, "/"))
    assert "aria-current" not in home_nav

    section_nav = main_nav(html_of(client, energy.url))
    assert '<a href="/energy/" aria-current="page">Energy</a>' in section_nav
    assert '<a href="/economy/">Economy</a>' in section_nav

    # On an article, its section is where the reader is, though not the page itself.
    article_nav = main_nav(html_of(client, article.url))
    assert '<a href="/energy/" aria-current="true">Energy</a>' in article_nav
    assert '<a href="/economy/">Economy</a>' in article_nav

    archive_nav = main_nav(html_of(client, "/archive/"))
    assert 'aria-current="page">Archive</a>' in archive_nav
    assert '<a href="/economy/">Economy</a>' in archive_nav and '<a href="/energy/">Energy</a>' in archive_nav


def test_authors_index_lists_each_author_with_a_bio_snippet_and_their_count(client, section):
    prolific = AuthorFactory(name="Ada Prolific", role="Economics editor", bio="Ada covers budgets. " * 20)
    occasional = AuthorFactory(name="Bo Occasional", bio="Bo writes now and then.")
    unpublished = AuthorFactory(name="Cy Unpublished")
    for _ in range(3):
        make_article(section=section, authors=[prolific])
    make_article(section=section, authors=[prolific, occasional])
    make_article(section=section, authors=[unpublished], publish=False)

    html = html_of(client, "/authors/")
    assert html.index("Ada Prolific") < html.index("Bo Occasional")
    assert f'href="{prolific.get_absolute_url()}"' in html and "Economics editor" in html
    assert "4 articles" in html and "1 article<" in html
    assert "Ada covers budgets. " * 5 in html and "Ada covers budgets. " * 20 not in html  # a snippet
    assert "Cy Unpublished" not in html
    assert 'href="/authors/"' in html  # the footer links the index


def test_authors_index_counts_only_what_readers_may_see(client, section):
    author = AuthorFactory(name="Dee Restricted")
    make_article(section=section, authors=[author])
    hidden = make_article(section=section, authors=[author])
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    assert "1 article<" in html_of(client, "/authors/")


def test_topics_index_lists_topics_with_counts(client, section):
    housing = TopicFactory(name="Housing", description="Rents, building and who gets a home.")
    energy = TopicFactory(name="Energy")
    TopicFactory(name="Unused")
    make_article(section=section, topics=[housing, energy])
    make_article(section=section, topics=[housing])

    html = html_of(client, "/topics/")
    assert f'href="{housing.get_absolute_url()}"' in html
    assert "Rents, building and who gets a home." in html
    assert re.search(r"Housing</a>.*?2 articles", html, re.S)
    assert re.search(r"Energy</a>.*?1 article<", html, re.S)
    assert "Unused" not in html


@pytest.mark.parametrize("url", ["/authors/", "/topics/"])
def test_index_query_count_is_flat(client, section, url):
    topic = TopicFactory()
    make_article(section=section, topics=[topic])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        make_article(section=section, topics=[TopicFactory()], authors=[AuthorFactory(), AuthorFactory()])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_archive_shows_how_many_articles_each_month_has(client, section):
    for day in (3, 10, 17):
        make_article(section=section, published_at=datetime(2019, 3, day, 12, tzinfo=timezone.utc))
    make_article(section=section, published_at=datetime(2019, 5, 10, 12, tzinfo=timezone.utc))
    make_article(section=section, published_at=datetime(2019, 6, 1, 12, tzinfo=timezone.utc), publish=False)

    html = html_of(client, "/archive/")
    assert re.search(r'href="/archive/2019/3/">March</a> <span class="archive-count">\(3<', html)
    assert re.search(r'href="/archive/2019/5/">May</a> <span class="archive-count">\(1<', html)
    assert "/archive/2019/6/" not in html
    month = html_of(client, "/archive/2019/3/")
    assert 'href="/archive/2019/3/" aria-current="page">March</a>' in month
