"""Tags for machines: JSON-LD NewsArticle, Open Graph, Twitter cards, canonical links, sitemap, robots.txt."""

import json
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from masthead.articles.factories import (
    AuthorFactory,
    ImageFactory,
    SourceOutletFactory,
    TopicFactory,
    make_article,
)

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """Collects <meta>, <link rel=canonical> and JSON-LD scripts from a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.canonical, self.json_ld = {}, [], []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta.setdefault(attrs.get("property") or attrs.get("name"), []).append(attrs.get("content"))
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        self._in_json_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))
            self._in_json_ld = False


def parse_head(client, url) -> HeadParser:
    parser = HeadParser()
    parser.feed(client.get(url).content.decode())
    return parser


def test_article_has_news_article_json_ld(client, section):
    authors = [AuthorFactory(name="Ines Varga"), AuthorFactory(name="Olu Bakare")]
    article = make_article(
        section=section,
        title='Quotes "and" </script><script>alert(1)</script>',
        authors=authors,
        topics=[TopicFactory(name="Trade")],
        lead_image=ImageFactory(),
    )
    head = parse_head(client, article.url)
    assert len(head.json_ld) == 1
    data = head.json_ld[0]
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert [author["name"] for author in data["author"]] == ["Ines Varga", "Olu Bakare"]
    assert data["datePublished"] == article.first_published_at.isoformat()
    assert data["publisher"]["@type"] == "Organization"
    assert data["keywords"] == ["Trade"]
    assert data["image"][0].startswith("http://127.0.0.1:8000/media/")
    assert "isBasedOn" not in data
    assert head.canonical == [f"http://127.0.0.1:8000{article.url}"]


def test_republished_article_is_based_on_the_original(client, section):
    outlet = SourceOutletFactory(name="Eastbrook Forum", homepage="https://eastbrook.example.org/")
    article = make_article(
        section=section, source_outlet=outlet, original_url="https://eastbrook.example.org/papers/sunset"
    )
    head = parse_head(client, article.url)
    based_on = head.json_ld[0]["isBasedOn"]
    assert based_on["url"] == "https://eastbrook.example.org/papers/sunset"
    assert based_on["publisher"]["name"] == "Eastbrook Forum"
    assert head.canonical == ["https://eastbrook.example.org/papers/sunset"]
    assert head.meta["og:url"] == ["https://eastbrook.example.org/papers/sunset"]


def test_open_graph_and_twitter_tags(client, section):
    article = make_article(
        section=section,
        standfirst="A standfirst with <em>markup</em> & an ampersand.",
        topics=[TopicFactory(name="Energy")],
        lead_image=ImageFactory(),
    )
    head = parse_head(client, article.url)
    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:title"] == [article.title]
    assert head.meta["og:description"] == ["A standfirst with markup & an ampersand."]
    assert head.meta["article:tag"] == ["Energy"]
    assert head.meta["og:image"][0].endswith(".png")
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert head.meta["description"] == ["A standfirst with markup & an ampersand."]


def test_sitemap_lists_our_own_articles_only(client, section):
    own = make_article(section=section)
    republished = make_article(
        section=section, source_outlet=SourceOutletFactory(), original_url="https://example.org/elsewhere"
    )
    make_article(section=section, publish=False, title="Draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [node.text for node in ElementTree.fromstring(response.content).iter(f"{namespace}loc")]
    assert any(location.endswith(own.url) for location in locations)
    assert not any(location.endswith(republished.url) for location in locations)
    assert any(location.endswith(section.url) for location in locations)


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def _members_article(section):
    from masthead.articles.models import AccessLevel, ArticlePage

    article = make_article(section=section, publish=False)
    article.access_level = AccessLevel.MEMBERS
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def test_free_article_is_accessible_for_free(client, section):
    data = parse_head(client, make_article(section=section).url).json_ld[0]
    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data


def test_gated_article_marks_its_gated_part_for_search_engines(client, section):
    data = parse_head(client, _members_article(section).url).json_ld[0]
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".members-only",
    }
