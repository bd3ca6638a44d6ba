"""Cache headers for a cache in front of the site (edge.py), and the purges sent to it on changes (edge_purge.py),
received by a real HTTP server standing in for Varnish."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.test import Client, override_settings

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import PublicationSettings
from masthead.core.holes import CSRF_HOLE
from masthead.discussion.factories import allow_guests, make_comment
from masthead.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db

EDGE_ON = override_settings(MASTHEAD_EDGE_SECONDS=300)


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@EDGE_ON
def test_an_anonymous_article_is_shared_with_its_tokens_left_for_the_script(section):
    allow_guests()
    article = make_article(section=section, body=[paragraph("Opening.")])
    for _ in range(2):  # rendered, then from the page cache
        response = Client().get(article.url)
        assert response.status_code == 200
        assert not response.cookies
        assert {"public", "max-age=0", "s-maxage=300", "stale-while-revalidate=30"} <= cache_control(response)
        assert "stale-if-error=86400" in cache_control(response)
        assert response["Surrogate-Control"] == "max-age=300"
        html = response.content.decode()
        assert 'name="csrfmiddlewaretoken" value=""' in html  # the guest comment form
        assert str(CSRF_HOLE) not in html
        assert "delivery/edge.js" in html


@EDGE_ON
def test_the_token_fetch_gives_the_reader_their_own_token_privately():
    client = Client(enforce_csrf_checks=True)
    response = client.get("/edge/csrf-token")
    assert response.status_code == 200
    token = json.loads(response.content)["token"]
    assert token and settings.CSRF_COOKIE_NAME in response.cookies
    assert {"private", "no-store"} <= cache_control(response)
    assert "Surrogate-Control" in response and response["Surrogate-Control"] == "no-store"


@EDGE_ON
def test_home_section_and_feeds_are_shared(section):
    make_article(section=section)
    for url in ("/", section.url, "/feeds/rss/", "/feeds/atom/", "/sitemap.xml"):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert "s-maxage=300" in cache_control(response), url
        assert response["Surrogate-Control"] == "max-age=300", url


@EDGE_ON
def test_anything_for_a_reader_is_private_and_never_kept_by_the_edge(section):
    article = make_article(section=section)
    member = Client()
    member.force_login(MemberFactory().user)
    for url in (article.url, "/", "/feeds/rss/"):
        response = member.get(url)
        assert {"private", "no-store"} <= cache_control(response), url
        assert response["Surrogate-Control"] == "no-store", url
    with_token = Client()
    with_token.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    response = with_token.get(article.url)
    assert "private" in cache_control(response) and "s-maxage=300" not in cache_control(response)
    assert response["Surrogate-Control"] == "no-store"


@EDGE_ON
def test_a_view_not_named_shared_gets_no_surrogate_header():
    response = Client().get("/search/?q=figures")
    assert "Surrogate-Control" not in response or response["Surrogate-Control"] == "no-store"
    assert "s-maxage=300" not in cache_control(response)


def test_without_the_edge_an_anonymous_article_carries_a_real_token(section):
    allow_guests()
    article = make_article(section=section)
    response = Client().get(article.url)
    assert 'name="csrfmiddlewaretoken" value=""' not in response.content.decode()
    assert "private" in cache_control(response) and "Surrogate-Control" in response


class _Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, str, str]] = []

    def _record(self):
        self.received.append((self.command, self.path, self.headers.get("X-Ban-Url", "")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PURGE = do_BAN = _record

    def log_message(self, *args):
        pass


@pytest.fixture
def varnish_stand_in():
    """A real HTTP server on loopback that records the PURGE and BAN requests it gets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    frontend = {"varnish0": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": url}}
    with override_settings(MASTHEAD_VARNISH_URLS=[url], WAGTAILFRONTENDCACHE=frontend):
        yield _Recorder.received
    server.shutdown()


def test_publishing_purges_the_article_and_bans_the_lists(section, varnish_stand_in, django_capture_on_commit_callbacks):
    article = make_article(section=section, publish=False)  # its author, a snippet, would ban everything
    varnish_stand_in.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    purged = {path for method, path, _ in varnish_stand_in if method == "PURGE"}
    bans = {pattern for method, _, pattern in varnish_stand_in if method == "BAN"}
    assert article.url in purged
    assert r"^/(\?.*)?$" in bans  # home
    assert r"^/feeds/" in bans
    assert any(section.url.strip("/") in pattern for pattern in bans)  # its section


def test_a_comment_purges_its_article(section, varnish_stand_in, django_capture_on_commit_callbacks):
    article = make_article(section=section)
    varnish_stand_in.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article=article)
    assert article.url in {path for method, path, _ in varnish_stand_in if method == "PURGE"}


def test_a_settings_change_bans_everything(section, varnish_stand_in, django_capture_on_commit_callbacks):
    publication = PublicationSettings.for_site(section.get_site())
    varnish_stand_in.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publication.save()
    assert ("BAN", "/", "^/") in varnish_stand_in
