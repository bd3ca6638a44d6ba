"""Checking a feed served from 127.0.0.1: new items become draft republished articles, once each."""

from datetime import date

import pytest
from wagtail.models import Page

from masthead.articles.factories import SourceOutletFactory, make_section
from masthead.articles.models import ArticlePage, Author
from masthead.sources.actions import do_check_feed
from masthead.sources.factories import SourceFeedFactory
from masthead.sources.models import FeedItem, FeedStatus
from masthead.sources.tests.conftest import DATA

pytestmark = pytest.mark.django_db

ETAG = '"harbour-v1"'
NEW_ITEM = """<item>
      <title>A third piece, added later</title>
      <link>https://harbour-review.example.org/2026/12/third/</link>
      <guid isPermaLink="false">harbour-review-item-1099</guid>
      <description>&lt;p&gt;Later words.&lt;/p&gt;</description>
    </item>
    <item>"""


@pytest.fixture
def section():
    return make_section("Republished", "republished")


@pytest.fixture
def rss_feed(feed_server, section):
    url = feed_server.serve_file("/rss.xml", "rss2.xml", etag=ETAG)
    outlet = SourceOutletFactory(name="Harbour Policy Review", slug="harbour-review")
    return SourceFeedFactory(source_outlet=outlet, url=url, section=section,
                             licence_note="Republished under CC BY-ND 4.0 with the outlet's permission.")


def test_new_items_become_drafts_with_the_attribution_filled_in(rss_feed, section):
    outcome = do_check_feed(feed=rss_feed)
    assert outcome.status == FeedStatus.OK and len(outcome.created) == 2
    articles = {article.title: article for article in ArticlePage.objects.child_of(section)}
    ferry = articles["Why the ferry timetable keeps slipping"]
    assert not ferry.live and ferry.has_unpublished_changes and ferry.first_published_at is None
    assert ferry.get_latest_revision() is not None  # a revision an editor can review and publish
    assert ferry.source_outlet == rss_feed.source_outlet and ferry.is_republished
    assert ferry.original_url == "https://harbour-review.example.org/2026/11/ferry-timetable/"
    assert ferry.original_published_at == date(2026, 11, 3)
    assert ferry.republication_note == "Republished under CC BY-ND 4.0 with the outlet's permission."
    assert [author.name for author in ferry.byline] == ["Ilse Marchetti"]
    assert ferry.standfirst == "Three operators, one pier, and a timetable nobody owns."
    assert ferry.language == "en"
    body = ferry.body.raw_data
    assert [block["type"] for block in body] == [
        "paragraph", "section_heading", "paragraph", "block_quote", "paragraph"
    ]
    text = repr(list(body))
    assert "script" not in text and "cookie" not in text and "javascript:" not in text and "style" not in text
    assert '<a href="https://harbour-review.example.org/operators/">crews</a>' in body[2]["value"]

    dredging = articles["Dredging the inner basin: the bill arrives"]
    assert dredging.body.raw_data[1]["value"] == "<p>The council's share is <i>forty</i> per cent.</p>"
    assert dredging.standfirst == "A plain-text summary of who pays for the silt & when."

    rss_feed.refresh_from_db()
    assert (rss_feed.status, rss_feed.etag, rss_feed.consecutive_errors) == (FeedStatus.OK, ETAG, 0)
    assert rss_feed.last_result.startswith("2 new drafts; 0 already taken; 1 image in the items left out")
    assert rss_feed.next_check_at == rss_feed.last_checked_at + rss_feed.interval
    assert FeedItem.objects.filter(feed=rss_feed).count() == 2


def test_a_second_check_sends_the_etag_gets_a_304_and_changes_nothing(rss_feed, feed_server):
    do_check_feed(feed=rss_feed)
    outcome = do_check_feed(feed=rss_feed)
    assert outcome.status == FeedStatus.NOT_MODIFIED and outcome.created == []
    assert feed_server.last_headers("/rss.xml")["If-None-Match"] == ETAG
    assert feed_server.count("/rss.xml") == 2
    assert ArticlePage.objects.count() == 2
    rss_feed.refresh_from_db()
    assert rss_feed.status == FeedStatus.NOT_MODIFIED


def test_a_server_without_validators_refetches_but_no_duplicate_is_made(rss_feed, feed_server):
    feed_server.routes["/rss.xml"].etag = ""
    do_check_feed(feed=rss_feed)
    revisions = ArticlePage.objects.get(title__startswith="Why the ferry").revisions.count()
    outcome = do_check_feed(feed=rss_feed)
    assert (len(outcome.created), outcome.already_known) == (0, 2)
    assert ArticlePage.objects.count() == 2 and FeedItem.objects.count() == 2
    assert ArticlePage.objects.get(title__startswith="Why the ferry").revisions.count() == revisions

    # A new item in the feed: that one, and only that one, becomes a draft.
    feed_server.routes["/rss.xml"].body = (DATA / "rss2.xml").read_bytes().replace(b"<item>", NEW_ITEM.encode(), 1)
    outcome = do_check_feed(feed=rss_feed)
    assert [article.title for article in outcome.created] == ["A third piece, added later"]
    assert ArticlePage.objects.count() == 3
    # Known authors are credited again, not duplicated.
    assert Author.objects.filter(name="Ilse Marchetti").count() == 1


def test_a_draft_an_editor_deleted_does_not_come_back(rss_feed, feed_server):
    feed_server.routes["/rss.xml"].etag = ""
    do_check_feed(feed=rss_feed)
    ArticlePage.objects.get(title__startswith="Why the ferry").delete()
    outcome = do_check_feed(feed=rss_feed)
    assert outcome.created == [] and ArticlePage.objects.count() == 1
    assert FeedItem.objects.get(key="harbour-review-item-1042").article is None


def test_atom_items_are_taken_in_the_feeds_language_and_an_item_without_a_web_link_is_reported(
    feed_server, section
):
    url = feed_server.serve_file("/atom.xml", "atom.xml", content_type="application/atom+xml")
    feed = SourceFeedFactory(url=url, section=section, licence_note="Reprise autorisée.")
    outcome = do_check_feed(feed=feed)
    (flood,) = outcome.created
    assert (flood.title, flood.language, flood.original_published_at) == (
        "La crue de novembre en chiffres", "fr", date(2026, 11, 19)
    )
    assert flood.republication_note == "Reprise autorisée.\n\nThe original says: Licence Creative Commons BY 4.0"
    assert [block["type"] for block in flood.body.raw_data] == ["paragraph", "section_heading", "paragraph"]
    assert outcome.refused == ["“Un article sans lien web” has no http(s) link to credit as the original."]
    feed.refresh_from_db()
    assert "1 item not taken: “Un article sans lien web” has no http(s) link" in feed.last_result


def test_an_item_without_an_author_is_credited_to_the_outlet(feed_server, section):
    xml = """<rss version="2.0"><channel><title>Anonymous Desk</title><item><title>Unsigned note</title>
      <link>https://desk.example.org/unsigned</link><description>Words.</description></item>
      <item><title>Nowhere to be found</title><description>No guid, no link.</description></item>
      </channel></rss>"""
    feed = SourceFeedFactory(url=feed_server.serve("/anon.xml", xml), section=section,
                             source_outlet=SourceOutletFactory(name="Anonymous Desk", slug="anonymous-desk"))
    outcome = do_check_feed(feed=feed)
    (article,) = outcome.created
    assert [author.name for author in article.byline] == ["Anonymous Desk"]
    assert article.original_published_at is None
    assert outcome.refused == ["“Nowhere to be found” has neither an id nor a link."]


@pytest.mark.parametrize(
    ("serve", "message"),
    [
        (lambda server: server.serve_file("/feed.xml", "malformed.xml"),
         "Failed: The feed is not well-formed XML: mismatched tag at line 8"),
        (lambda server: server.serve("/feed.xml", "down for maintenance", status=503),
         "Failed: The feed's server answered 503 Service Unavailable."),
        (lambda server: server.serve("/feed.xml", "<html><body>Hello</body></html>", content_type="text/html"),
         "Failed: The address does not answer with an RSS or Atom feed."),
    ],
)
def test_a_failed_check_is_recorded_on_the_feed_and_writes_nothing_else(feed_server, section, serve, message):
    feed = SourceFeedFactory(url=serve(feed_server), section=section, etag='"old"')
    pages_before = Page.objects.count()
    for attempt in (1, 2):
        outcome = do_check_feed(feed=feed)
        assert outcome.status == FeedStatus.ERROR
    feed.refresh_from_db()
    assert feed.status == FeedStatus.ERROR and feed.last_result.startswith(message)
    assert feed.last_error == message.removeprefix("Failed: ") or feed.last_error.startswith(
        message.removeprefix("Failed: ")
    )
    assert feed.last_error_at == feed.last_checked_at and feed.consecutive_errors == 2
    assert feed.etag == '"old"'  # the last good answer's validators are kept
    assert Page.objects.count() == pages_before and FeedItem.objects.count() == 0


def test_a_feed_over_the_size_limit_is_an_error_and_recovery_clears_the_count(feed_server, section, settings):
    settings.MASTHEAD_SOURCE_FEED_MAX_BYTES = 500
    feed = SourceFeedFactory(url=feed_server.serve_file("/rss.xml", "rss2.xml"), section=section)
    do_check_feed(feed=feed)
    feed.refresh_from_db()
    assert feed.status == FeedStatus.ERROR and "over the limit of 500" in feed.last_error
    settings.MASTHEAD_SOURCE_FEED_MAX_BYTES = 5_000_000
    do_check_feed(feed=feed)
    feed.refresh_from_db()
    assert (feed.status, feed.consecutive_errors) == (FeedStatus.OK, 0)
    assert "over the limit" in feed.last_error  # the last failure stays readable, with its time
    assert ArticlePage.objects.count() == 2
