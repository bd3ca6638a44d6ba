"""The article page as the page layer assembles it: what each kind of reader costs, and every write that
changes what readers see shows on a cached page at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from masthead.accounts.factories import StaffFactory
from masthead.articles.factories import make_article, paragraph
from masthead.discussion.factories import make_comment
from masthead.discussion.models import Comment, Thread
from masthead.membership.factories import MemberFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = 60
    settings.MASTHEAD_ARTICLE_CACHE_SECONDS = 300
    cache.clear()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def counted(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_members_cached_page_costs_djangos_sign_in_and_the_stamps(section):
    article = make_article(section=section, body=[paragraph("Opening.")])
    make_comment(article=article, body="A first comment.")
    for user in (SubscriptionFactory().member.user, MemberFactory().user):
        reader = signed_in(user)
        reader.get(article.url)
        reader.get(article.url)
        count, html = counted(reader, article.url)
        # Django's session row and account, the stamps, the thread's version, and the reader's own votes
        # in the thread; the reader's tiers come from what this process kept under the membership stamp.
        assert count <= 5, count
        assert "A first comment." in html and "Your account" in html


def test_comments_imported_into_a_thread_whose_page_is_cached_show_at_once(section):
    from masthead.discussion.interchange import export_threads, import_threads

    article = make_article(section=section)
    make_comment(article=article, body="Moved in with the archive.")
    exported = export_threads(Thread.objects.filter(page=article))
    Comment.objects.filter(thread__page=article).delete()
    Thread.objects.filter(page=article).update(comment_count=0)

    reader = Client()
    assert "Moved in with the archive." not in reader.get(article.url).content.decode()
    assert "Moved in with the archive." not in reader.get(article.url).content.decode()  # cached
    assert import_threads(exported) == 1
    assert "Moved in with the archive." in reader.get(article.url).content.decode()


def test_bulk_moderation_in_the_admin_shows_on_a_cached_page_at_once(section):
    from masthead.discussion.actions.moderation import do_moderate

    article = make_article(section=section)
    comments = [make_comment(article=article, body=f"Comment {n} on the quay.") for n in range(3)]
    reader = Client()
    reader.get(article.url)
    assert "Comment 1 on the quay." in reader.get(article.url).content.decode()
    do_moderate(comments=comments[:2], action="reject", editor=StaffFactory())
    html = reader.get(article.url).content.decode()
    assert "Comment 0 on the quay." not in html and "Comment 2 on the quay." in html
