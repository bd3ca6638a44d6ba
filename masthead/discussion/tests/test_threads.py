"""Tests of masthead/discussion/actions/threads.py: an article's thread, found or started, closed, reopened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.accounts.factories import StaffFactory
from masthead.articles.factories import make_article
from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.actions.threads import do_set_thread_closed, thread_for
from masthead.discussion.errors import DiscussionError
from masthead.discussion.factories import set_policy
from masthead.discussion.models import ModerationEvent, Thread

pytestmark = pytest.mark.django_db



def post(article, user, body="A fair point about the pipes.", **kwargs):
    return check_post_comment(page=article, user=user, body=body, ip="192.0.2.1", **kwargs)


@pytest.fixture
def editor(db):
    return StaffFactory()


def test_closed_thread_refuses_comments(article, member, editor):
    thread = thread_for(article)
    do_set_thread_closed(thread=thread, closed=True, editor=editor)
    with pytest.raises(DiscussionError, match="closed") as refused:
        post(article, member)
    assert refused.value.status == 403


def test_thread_closes_automatically_after_n_days(section, member):
    old = make_article(section=section, published_at=timezone.now() - timedelta(days=40))
    set_policy(close_after_days=30)
    with pytest.raises(DiscussionError, match="closed"):
        post(old, member)
    set_policy(close_after_days=0)
    assert post(old, member).pk


def test_reading_a_thread_that_nobody_started_writes_nothing(article, django_assert_num_queries):
    with django_assert_num_queries(1):
        thread = thread_for(article, create=False)
    assert thread.pk is None and thread.comment_count == 0 and not Thread.objects.exists()
    with django_assert_num_queries(0):  # the page keeps the answer for the rest of the request
        assert thread_for(article, create=False) is thread
    started = thread_for(article)
    assert started.pk and started.page == article and Thread.objects.get() == started
    with django_assert_num_queries(0):
        assert thread_for(article) is started


def test_a_page_loaded_with_its_thread_asks_no_more(article, django_assert_num_queries):
    from masthead.articles.models import ArticlePage

    started = thread_for(article)
    loaded = ArticlePage.objects.select_related("discussion_thread").get(pk=article.pk)
    with django_assert_num_queries(0):
        assert thread_for(loaded).pk == started.pk


def test_closing_and_reopening_are_logged_and_raise_the_version(article, editor):
    thread = thread_for(article)
    do_set_thread_closed(thread=thread, closed=True, editor=editor)
    do_set_thread_closed(thread=thread, closed=False, editor=editor)
    thread.refresh_from_db()
    assert not thread.is_closed and thread.version == 2
    assert list(ModerationEvent.objects.order_by("pk").values_list("action", flat=True)) == ["close", "open"]
