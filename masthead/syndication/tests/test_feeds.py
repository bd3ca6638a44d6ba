"""RSS 2.0 and Atom feeds: well-formed XML, the right items, standfirsts only."""

import xml.etree.ElementTree as ElementTree

import pytest

from masthead.articles.factories import AuthorFactory, TopicFactory, make_article

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def test_site_feeds_list_every_published_article(client, section):
    articles = [make_article(section=section, title=f"Piece <{n}> & more") for n in range(4)]
    make_article(section=section, title="A draft", publish=False)
    channel, items = rss_items(client, "/feeds/rss/")
    assert len(items) == 4
    assert {item.findtext("title") for item in items} == {article.title for article in articles}
    assert all(item.findtext("link").startswith("http://") for item in items)
    assert all(item.findtext("description") for item in items)
    _, entries = atom_entries(client, "/feeds/atom/")
    assert len(entries) == 4


def test_feeds_carry_the_standfirst_not_the_body(client, section):
    make_article(
        section=section,
        standfirst="The short version.",
        body=[{"type": "paragraph", "value": "<p>The long body sentence that stays on the page.</p>"}],
    )
    for url in ["/feeds/rss/", "/feeds/atom/"]:
        text = client.get(url).content.decode()
        assert "The short version." in text
        assert "The long body sentence" not in text


def test_topic_and_author_feeds_are_narrowed(client, section):
    topic, author = TopicFactory(), AuthorFactory(name="Ana Ruiz")
    make_article(section=section, topics=[topic])
    make_article(section=section, topics=[topic], authors=[author])
    make_article(section=section)
    assert len(rss_items(client, f"/feeds/topics/{topic.slug}/rss/")[1]) == 2
    assert len(atom_entries(client, f"/feeds/topics/{topic.slug}/atom/")[1]) == 2
    channel, items = rss_items(client, f"/feeds/authors/{author.slug}/rss/")
    assert len(items) == 1 and "Ana Ruiz" in channel.findtext("title")
    feed, entries = atom_entries(client, f"/feeds/authors/{author.slug}/atom/")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "Ana Ruiz"


def test_feed_size_is_capped(client, section, settings):
    settings.MASTHEAD_FEED_SIZE = 3
    for _ in range(5):
        make_article(section=section)
    assert len(rss_items(client, "/feeds/rss/")[1]) == 3


def test_gated_articles_are_labelled_and_carry_the_standfirst_only(client, section):
    from masthead.articles.models import AccessLevel

    article = make_article(
        section=section,
        standfirst="Only the standfirst.",
        body=[{"type": "paragraph", "value": "<p>Members read this sentence.</p>"}],
        publish=False,
    )
    article.access_level = AccessLevel.PAID
    article.save_revision().publish()
    make_article(section=section)
    _, items = rss_items(client, "/feeds/rss/")
    categories = {item.findtext("title"): [c.text for c in item.findall("category")] for item in items}
    assert "For members" in categories[article.title]
    assert sum("For members" in labels for labels in categories.values()) == 1
    text = client.get("/feeds/atom/").content.decode()
    assert "Only the standfirst." in text and "Members read this sentence." not in text
