"""A signed-in reader's cached page: one query, and every change to the session or the account seen at once."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.accounts.factories import StaffFactory
from masthead.accounts.models import User
from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.core.models import CacheStamps
from masthead.membership.factories import MemberFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

GATED = "Only subscribers read this sentence."


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = 60
    cache.clear()


@pytest.fixture
def piece(section):
    article = make_article(
        section=section,
        title="Harbour dues",
        body=[paragraph("Free opening."), paragraph("Second."), paragraph(GATED), paragraph("Last.")],
        publish=False,
    )
    article.access_level = AccessLevel.PAID
    article.preview_paragraphs = 2
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fetch(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_members_cached_page_costs_one_query_as_an_anonymous_readers_does(piece):
    paying = signed_in(SubscriptionFactory().member.user)
    paying.get(piece.url)
    count, html = fetch(paying, piece.url)
    assert count == 1  # the stamps, the thread and the session row, together; the account from the cache
    assert GATED in html and "Your account" in html
    free = signed_in(MemberFactory().user)
    free.get(piece.url)
    count, html = fetch(free, piece.url)
    assert count == 1 and GATED not in html and "Your account" in html


def test_signing_out_in_another_process_is_seen_at_once(piece):
    paying = signed_in(SubscriptionFactory().member.user)
    paying.get(piece.url)
    # Another server process signed the member out: it deleted the row, and this process cached nothing of it.
    Session.objects.filter(session_key=paying.session.session_key).delete()
    _, html = fetch(paying, piece.url)
    assert GATED not in html and "Your account" not in html


def test_a_cookie_for_a_session_gone_costs_one_query_and_is_deleted(piece):
    paying = signed_in(SubscriptionFactory().member.user)
    paying.get(piece.url)
    Client().get(piece.url)  # the anonymous reader's page is cached
    Session.objects.filter(session_key=paying.session.session_key).delete()
    with CaptureQueriesContext(connection) as captured:
        response = paying.get(piece.url)
    # The stamps query found no row: the session is known to be empty without Django's own lookup.
    assert len(captured) == 1 and GATED not in response.content.decode()
    assert response.cookies["sessionid"].value == "" and response.cookies["sessionid"]["max-age"] == 0


def test_an_expired_or_tampered_session_signs_nobody_in(piece):
    paying = signed_in(SubscriptionFactory().member.user)
    paying.get(piece.url)
    key = paying.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert GATED not in fetch(paying, piece.url)[1]
    other = signed_in(SubscriptionFactory().member.user)
    other.get(piece.url)
    row = Session.objects.get(session_key=other.session.session_key)
    Session.objects.filter(pk=row.pk).update(session_data=row.session_data[:-4] + "AAAA")  # a broken signature
    assert GATED not in fetch(other, piece.url)[1]


def test_a_password_change_ends_other_sessions_even_with_the_account_cached(piece):
    user = SubscriptionFactory().member.user
    reader = signed_in(user)
    reader.get(piece.url)
    assert GATED in fetch(reader, piece.url)[1]  # the account is now in the cache
    user.set_password("a new and long passphrase")
    user.save()
    _, html = fetch(reader, piece.url)
    assert GATED not in html and "Your account" not in html


def test_account_changes_made_by_another_process_are_seen_at_once(piece):
    user = SubscriptionFactory().member.user
    reader = signed_in(user)
    reader.get(piece.url)
    assert GATED in fetch(reader, piece.url)[1]
    # Another process deactivated the account: its save replaced the membership stamp in the database.
    User.objects.filter(pk=user.pk).update(is_active=False)
    CacheStamps.objects.update(membership="from-another-process")
    _, html = fetch(reader, piece.url)
    assert GATED not in html and "Your account" not in html


def test_saving_an_account_replaces_the_membership_stamp_but_signing_in_does_not(piece):
    user = MemberFactory().user
    before = CacheStamps.objects.get().membership
    signed_in(user)  # Django records the sign-in time
    assert CacheStamps.objects.get().membership == before
    user.display_name = "Renamed"
    user.save()
    assert CacheStamps.objects.get().membership != before


def test_a_session_hash_that_does_not_match_signs_nobody_in(piece):
    reader = signed_in(SubscriptionFactory().member.user)
    session = reader.session
    session[HASH_SESSION_KEY] = "not-the-hash"
    session.save()
    reader.get(piece.url)
    assert GATED not in fetch(reader, piece.url)[1]


def test_a_session_made_under_an_old_secret_key_moves_to_the_new_key_and_stays_signed_in(piece, settings):
    reader = signed_in(SubscriptionFactory().member.user)
    old_key = reader.session.session_key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "k" * 50
    response = reader.get(piece.url)
    assert GATED in response.content.decode()
    new_key = reader.cookies["sessionid"].value
    # Django cycled the session to sign it with the new key: nothing kept the old one.
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    for _ in range(2):
        assert GATED in fetch(reader, piece.url)[1]


def test_each_request_gets_its_own_copy_of_the_account_kept_for_its_session(piece):
    reader = signed_in(SubscriptionFactory().member.user)
    users = [reader.get(piece.url).wsgi_request.user for _ in range(3)]
    assert users[1].pk == users[2].pk == users[0].pk and users[1] is not users[2]
    users[1].display_name = "Changed in one request only"
    assert reader.get(piece.url).wsgi_request.user.display_name != "Changed in one request only"


def test_an_editor_losing_staff_rights_is_seen_at_once_without_a_stamp_change(piece):
    editor = StaffFactory()
    reader = signed_in(editor)
    for _ in range(2):
        assert reader.get(piece.url).wsgi_request.user.is_staff
    User.objects.filter(pk=editor.pk).update(is_staff=False)  # no signal: the membership stamp stays
    assert not reader.get(piece.url).wsgi_request.user.is_staff
