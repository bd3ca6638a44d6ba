"""One bounded GET against feeds served from 127.0.0.1: conditional requests, limits, failures."""

import socket

import pytest

from masthead.sources.fetching import FetchError, fetch_feed

ETAG = '"v1-harbour"'
LAST_MODIFIED = "Tue, 03 Nov 2026 09:00:00 GMT"


def test_a_full_answer_brings_its_validators_and_sending_them_back_gets_a_304(feed_server):
    url = feed_server.serve_file("/rss.xml", "rss2.xml", etag=ETAG, last_modified=LAST_MODIFIED)
    first = fetch_feed(url)
    assert not first.not_modified and first.body.startswith(b"<?xml")
    assert (first.etag, first.last_modified, first.url) == (ETAG, LAST_MODIFIED, url)
    assert "If-None-Match" not in feed_server.last_headers("/rss.xml")

    second = fetch_feed(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    sent = feed_server.last_headers("/rss.xml")
    assert (sent["If-None-Match"], sent["If-Modified-Since"]) == (ETAG, LAST_MODIFIED)
    assert sent["User-Agent"].startswith("masthead feed reader")
    assert feed_server.count("/rss.xml") == 2


def test_last_modified_alone_also_answers_304(feed_server):
    url = feed_server.serve_file("/rss.xml", "rss2.xml", last_modified=LAST_MODIFIED)
    assert fetch_feed(url, last_modified=LAST_MODIFIED).not_modified


def test_http_errors_are_reported_with_the_status(feed_server):
    url = feed_server.serve("/gone.xml", "gone", status=410)
    with pytest.raises(FetchError, match="answered 410 Gone"):
        fetch_feed(url)
    with pytest.raises(FetchError, match="answered 404"):
        fetch_feed(feed_server.url + "/nothing-here.xml")


def test_a_body_over_the_limit_is_refused_whether_or_not_it_says_its_length(feed_server, settings):
    settings.MASTHEAD_SOURCE_FEED_MAX_BYTES = 1000
    declared = feed_server.serve("/big.xml", b"<rss>" + b" " * 5000 + b"</rss>")
    with pytest.raises(FetchError, match="is 5,011 bytes, over the limit of 1,000"):
        fetch_feed(declared)
    streamed = feed_server.serve("/streamed.xml", b"<rss>" + b" " * 200_000 + b"</rss>", declare_length=False)
    with pytest.raises(FetchError, match="over the limit of 1,000 bytes"):
        fetch_feed(streamed)


def test_a_server_that_does_not_answer_in_time_is_a_timeout(feed_server, settings):
    settings.MASTHEAD_SOURCE_FEED_TIMEOUT_SECONDS = 1
    url = feed_server.serve_file("/slow.xml", "rss2.xml", delay=2.5)
    with pytest.raises(FetchError, match="did not answer within 1 seconds"):
        fetch_feed(url)


def test_only_web_addresses_are_fetched():
    for address in ("file:///etc/passwd", "ftp://example.org/feed.xml", "gopher://example.org/", "http://"):
        with pytest.raises(FetchError, match="is not an http:// or https:// address"):
            fetch_feed(address)


def test_redirects_are_followed_to_web_addresses_only_and_not_for_ever(feed_server):
    feed = feed_server.serve_file("/rss.xml", "rss2.xml")
    moved = feed_server.serve("/old.xml", "", status=301, headers={"Location": feed})
    assert fetch_feed(moved).url == feed
    to_file = feed_server.serve("/sneaky.xml", "", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="could not be fetched"):
        fetch_feed(to_file)
    loop = feed_server.serve("/loop.xml", "", status=302, headers={"Location": feed_server.url + "/loop.xml"})
    with pytest.raises(FetchError, match="redirects more than 5 times"):
        fetch_feed(loop)


def test_a_refused_connection_is_reported():
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="Could not connect to the feed's server"):
        fetch_feed(f"http://127.0.0.1:{port}/feed.xml")
