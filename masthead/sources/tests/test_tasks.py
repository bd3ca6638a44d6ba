"""The periodic check: the scheduler enqueues it every minute; it fetches only the feeds whose time has come."""

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.articles.factories import make_section
from masthead.articles.models import ArticlePage
from masthead.scheduling.scheduler import enqueue_due
from masthead.sources.actions import do_check_due_feeds
from masthead.sources.factories import SourceFeedFactory
from masthead.sources.models import FeedStatus, SourceFeed
from masthead.sources.tasks import check_due_feeds

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds(feed_server):
    section = make_section("Republished", "republished")
    now = timezone.now()
    return {
        "new": SourceFeedFactory(url=feed_server.serve_file("/new.xml", "rss2.xml"), section=section),
        "due": SourceFeedFactory(url=feed_server.serve_file("/due.xml", "atom.xml"), section=section,
                                 next_check_at=now - timedelta(minutes=1)),
        "later": SourceFeedFactory(url=feed_server.serve_file("/later.xml", "rss2.xml"), section=section,
                                   next_check_at=now + timedelta(minutes=30)),
        "off": SourceFeedFactory(url=feed_server.serve_file("/off.xml", "rss2.xml"), section=section,
                                 is_active=False),
    }


def test_the_scheduler_runs_the_check_which_fetches_only_feeds_that_are_due(feeds, feed_server):
    assert "masthead.sources.tasks.check_due_feeds" in enqueue_due()  # run at once by the tests' task backend
    assert [feed_server.count(path) for path in ("/new.xml", "/due.xml", "/later.xml", "/off.xml")] == [1, 1, 0, 0]
    assert ArticlePage.objects.count() == 3  # two from the RSS feed, one from the Atom feed
    for name in ("new", "due"):
        feed = SourceFeed.objects.get(pk=feeds[name].pk)
        assert feed.status == FeedStatus.OK
        assert feed.next_check_at == feed.last_checked_at + timedelta(minutes=feed.check_every_minutes)
    assert SourceFeed.objects.get(pk=feeds["later"].pk).status == FeedStatus.NEW

    # A minute later nothing is due yet: nothing is fetched.
    result = check_due_feeds.enqueue()
    assert result.return_value == "No feed was due."
    assert len(feed_server.requests) == 2


def test_a_second_worker_in_the_same_minute_finds_the_feed_already_claimed(feeds, feed_server):
    now = timezone.now()
    first = do_check_due_feeds(now=now)
    second = do_check_due_feeds(now=now)
    assert sorted(outcome.feed.pk for outcome in first) == sorted([feeds["new"].pk, feeds["due"].pk])
    assert second == []
    assert feed_server.count("/new.xml") == feed_server.count("/due.xml") == 1


def test_the_tasks_result_names_each_feed_it_checked(feeds):
    SourceFeed.objects.exclude(pk=feeds["due"].pk).update(is_active=False)
    result = check_due_feeds.enqueue()
    assert result.return_value == f"{feeds['due']}: 1 new draft; 0 already taken. 1 item not taken: " \
        "“Un article sans lien web” has no http(s) link to credit as the original."
