"""Reading RSS 2.0 and Atom with feedparser: the fields a republished article needs, and refusals with reasons."""

from datetime import date

import pytest

from masthead.sources.parsing import FeedError, parse_feed
from masthead.sources.tests.conftest import DATA


def test_rss_items_carry_id_link_author_date_and_the_fullest_text():
    feed = parse_feed((DATA / "rss2.xml").read_bytes(), url="http://127.0.0.1/rss.xml")
    assert (feed.title, feed.language) == ("Harbour Policy Review", "en")
    first, second = feed.entries
    assert first.key == "harbour-review-item-1042"
    assert first.link == "https://harbour-review.example.org/2026/11/ferry-timetable/"
    assert (first.author, first.published) == ("Ilse Marchetti", date(2026, 11, 3))
    # Without an id of its own, a permalink guid is the key; content:encoded wins over the description.
    assert second.key == "https://harbour-review.example.org/2026/10/dredging-bill/"
    assert "<em>forty</em>" in second.body_html
    assert second.summary_text == "A plain-text summary of who pays for the silt & when."


def test_atom_entries_with_html_titles_rights_and_a_link_that_is_not_web():
    feed = parse_feed((DATA / "atom.xml").read_bytes(), url="http://127.0.0.1/atom.xml")
    assert (feed.language, feed.rights) == ("fr", "Licence Creative Commons BY 4.0")
    flood, no_link = feed.entries
    assert flood.title == "La crue de novembre en chiffres"
    assert (flood.author, flood.published) == ("Aurélie Fontanel", date(2026, 11, 19))
    assert "<h3>Les stations</h3>" in flood.body_html
    assert no_link.link == "" and no_link.key == "tag:rivieres.example.org,2026:sans-lien"


def test_a_very_long_id_is_kept_as_its_hash():
    long_id = "urn:x:" + "a" * 400
    xml = f"""<rss version="2.0"><channel><title>t</title><item><guid isPermaLink="false">{long_id}</guid>
        <link>https://example.org/1</link><title>One</title></item></channel></rss>"""
    (entry,) = parse_feed(xml.encode()).entries
    assert entry.key.startswith("sha256:") and len(entry.key) == 7 + 64


def test_malformed_xml_is_refused_with_where():
    with pytest.raises(FeedError, match=r"not well-formed XML: mismatched tag at line 8, column \d+"):
        parse_feed((DATA / "malformed.xml").read_bytes())


def test_a_web_page_is_not_a_feed():
    with pytest.raises(FeedError, match="does not answer with an RSS or Atom feed"):
        parse_feed(b"<!doctype html><html><body><p>Welcome</p></body></html>", content_type="text/html")
