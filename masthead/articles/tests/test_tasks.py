"""Scheduled publishing: an article scheduled in the admin goes live when the periodic task runs."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.signals import page_published

from masthead.articles.factories import make_article, site_home
from masthead.articles.models import ArticlePage
from masthead.articles.tasks import publish_due_pages

pytestmark = pytest.mark.django_db


def schedule(article: ArticlePage, *, minutes_ahead: int = 1):
    """Schedule the article as the admin does: a go-live date, then "Publish" on the saved revision."""
    article.go_live_at = timezone.now() + timedelta(minutes=minutes_ahead)
    revision = article.save_revision()
    revision.publish()
    return revision


# Wagtail sends page_published when a draft is scheduled, too: the tests count what the task sends.


def let_time_pass(revision) -> None:
    """Move the scheduled moment into the past, as a minute later (in both places Wagtail keeps it)."""
    moment = timezone.now() - timedelta(seconds=1)
    revision.refresh_from_db()
    revision.content["go_live_at"] = moment.isoformat()
    revision.approved_go_live_at = moment
    revision.save(update_fields=["content", "approved_go_live_at"])


@pytest.fixture
def published_signals():
    received = []

    def receiver(sender, instance, **kwargs):
        received.append(instance.pk)

    page_published.connect(receiver, dispatch_uid="test-scheduled-publishing")
    yield received
    page_published.disconnect(dispatch_uid="test-scheduled-publishing")


def test_a_scheduled_article_waits_for_its_time(client, section, published_signals):
    article = make_article(section=section, title="Tomorrow's budget, explained", publish=False)
    revision = schedule(article)
    revision.refresh_from_db()
    assert revision.approved_go_live_at is not None
    published_signals.clear()

    publish_due_pages.enqueue()

    article.refresh_from_db()
    assert not article.live
    assert published_signals == []
    assert "Tomorrow&#x27;s budget, explained" not in client.get(site_home().url).content.decode()


def test_a_scheduled_article_goes_live_when_the_task_runs_after_its_time(client, section, published_signals):
    article = make_article(section=section, title="The budget, explained", publish=False)
    revision = schedule(article)
    let_time_pass(revision)
    published_signals.clear()

    publish_due_pages.enqueue()

    article.refresh_from_db()
    assert article.live
    assert published_signals == [article.pk]
    assert client.get(article.url).status_code == 200
    assert "The budget, explained" in client.get(site_home().url).content.decode()
    assert "The budget, explained" in client.get("/feeds/rss/").content.decode()


def test_an_expired_article_is_taken_down_when_the_task_runs(client, section):
    article = make_article(section=section, title="A notice for one day")
    article.expire_at = timezone.now() - timedelta(seconds=1)
    article.save(update_fields=["expire_at"])

    publish_due_pages.enqueue()

    article.refresh_from_db()
    assert not article.live
    assert client.get(article.url).status_code == 404
