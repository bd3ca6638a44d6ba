"""The source feeds admin: adding a feed, its last check (errors included) on its page, and "Check now"."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.articles.factories import SourceOutletFactory, make_section
from masthead.articles.models import ArticlePage
from masthead.sources.actions import do_check_feed
from masthead.sources.factories import SourceFeedFactory
from masthead.sources.models import FeedStatus, SourceFeed

pytestmark = pytest.mark.django_db

NAMESPACE = "wagtailsnippets_sources_sourcefeed"


@pytest.fixture
def editor_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def section():
    return make_section("Republished", "republished")


def test_an_editor_adds_a_feed_and_only_web_addresses_are_accepted(editor_client, section):
    outlet = SourceOutletFactory()
    form = {"source_outlet": outlet.pk, "section": section.pk, "licence_note": "With permission.",
            "check_every_minutes": 30, "is_active": "on"}
    refused = editor_client.post(reverse(f"{NAMESPACE}:add"), {**form, "url": "file:///etc/passwd"})
    assert refused.status_code == 200 and "Enter a web address that starts with http" in refused.text
    too_often = editor_client.post(reverse(f"{NAMESPACE}:add"),
                                   {**form, "url": "https://outlet.example.org/feed", "check_every_minutes": 1})
    assert too_often.status_code == 200 and not SourceFeed.objects.exists()
    added = editor_client.post(reverse(f"{NAMESPACE}:add"), {**form, "url": "https://outlet.example.org/feed"})
    assert added.status_code == 302
    feed = SourceFeed.objects.get()
    assert (feed.url, feed.check_every_minutes, feed.status) == ("https://outlet.example.org/feed", 30, "new")


def test_a_new_address_forgets_the_old_ones_validators_and_is_checked_next(editor_client, section):
    feed = SourceFeedFactory(section=section, etag='"old"', last_modified="Tue, 03 Nov 2026 09:00:00 GMT",
                             next_check_at=timezone.now() + timedelta(hours=1))
    form = {"source_outlet": feed.source_outlet_id, "section": section.pk, "licence_note": feed.licence_note,
            "check_every_minutes": 60, "is_active": "on"}
    same = editor_client.post(reverse(f"{NAMESPACE}:edit", args=[feed.pk]), {**form, "url": feed.url})
    assert same.status_code == 302
    feed.refresh_from_db()
    assert feed.etag == '"old"' and feed.next_check_at is not None  # the same address keeps them
    response = editor_client.post(reverse(f"{NAMESPACE}:edit", args=[feed.pk]),
                                  {**form, "url": "https://moved.example.org/feed.xml"})
    assert response.status_code == 302
    feed.refresh_from_db()
    assert (feed.url, feed.etag, feed.last_modified, feed.next_check_at) == (
        "https://moved.example.org/feed.xml", "", "", None
    )


def test_the_feeds_page_shows_why_its_last_check_failed(editor_client, feed_server, section):
    feed = SourceFeedFactory(url=feed_server.serve_file("/feed.xml", "malformed.xml"), section=section)
    do_check_feed(feed=feed)
    page = editor_client.get(reverse(f"{NAMESPACE}:edit", args=[feed.pk]))
    assert page.status_code == 200
    assert "The feed is not well-formed XML: mismatched tag at line 8" in page.text
    assert "Failed" in page.text
    assert reverse(f"{NAMESPACE}:check", args=[feed.pk]) in page.text  # the "Check now" button
    listing = editor_client.get(reverse(f"{NAMESPACE}:list"))
    assert "Failed: The feed is not well-formed XML" in listing.text
    assert reverse(f"{NAMESPACE}:check", args=[feed.pk]) in listing.text  # "Check now" in the row's menu


def test_check_now_asks_first_then_fetches_and_says_what_it_found(editor_client, feed_server, section):
    feed = SourceFeedFactory(url=feed_server.serve_file("/rss.xml", "rss2.xml"), section=section)
    url = reverse(f"{NAMESPACE}:check", args=[feed.pk])
    confirm = editor_client.get(url)
    assert confirm.status_code == 200 and feed.url in confirm.text and "<form method=\"post\"" in confirm.text
    assert feed_server.count("/rss.xml") == 0  # looking at the question fetches nothing

    done = editor_client.post(url, follow=True)
    assert done.redirect_chain[-1][0] == reverse(f"{NAMESPACE}:edit", args=[feed.pk])
    assert "2 new drafts; 0 already taken" in done.text
    assert feed_server.count("/rss.xml") == 1
    assert ArticlePage.objects.filter(live=False).count() == 2 and not ArticlePage.objects.filter(live=True)

    # Each draft opens in the page editor like any other, attribution in place, ready for an editor to publish.
    draft = ArticlePage.objects.get(title__startswith="Why the ferry")
    editor = editor_client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk]))
    assert editor.status_code == 200
    assert "https://harbour-review.example.org/2026/11/ferry-timetable/" in editor.text
    assert "Ilse Marchetti" in editor.text

    feed_server.routes["/rss.xml"].status = 500
    failed = editor_client.post(url, follow=True)
    assert "answered 500 Internal Server Error" in failed.text
    assert SourceFeed.objects.get(pk=feed.pk).status == FeedStatus.ERROR


def test_check_now_needs_the_right_to_change_feeds(client, feed_server, section):
    feed = SourceFeedFactory(url=feed_server.serve_file("/rss.xml", "rss2.xml"), section=section)
    viewer = UserFactory(is_staff=True)
    group = Group.objects.create(name="Feed viewers")
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          Permission.objects.get(codename="view_sourcefeed"))
    viewer.groups.add(group)
    client.force_login(viewer)
    response = client.post(reverse(f"{NAMESPACE}:check", args=[feed.pk]))
    assert response.status_code in (302, 403) and feed_server.count("/rss.xml") == 0
    assert not ArticlePage.objects.exists()


def test_the_feed_list_costs_the_same_queries_for_two_feeds_or_ten(editor_client, section):
    def listing_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(reverse(f"{NAMESPACE}:list")).status_code == 200
        return len(captured)

    SourceFeedFactory.create_batch(2, section=section)
    listing_queries()  # the first request also loads what is cached afterwards (the user's admin settings)
    two = listing_queries()
    SourceFeedFactory.create_batch(8, section=section)
    assert listing_queries() == two
