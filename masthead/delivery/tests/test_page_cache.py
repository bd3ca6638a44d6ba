"""The article page's HTML cache: served without routing or rendering, never to another kind of reader, and
refreshed at once by every change it depends on."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from masthead.accounts.factories import StaffFactory
from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage, PublicationSettings
from masthead.core.holes import CSRF_HOLE
from masthead.delivery.models import CacheStamps
from masthead.discussion.actions.moderation import do_moderate
from masthead.discussion.actions.votes import check_vote
from masthead.discussion.factories import make_comment
from masthead.membership.factories import MemberFactory, SubscriptionFactory, TierFactory
from masthead.membership.models import GateSettings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = 60
    cache.clear()


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def piece(section):
    article = make_article(
        section=section,
        title="Harbour dues",
        body=[paragraph("Free opening."), paragraph("Second."), paragraph("The paid-only finding."),
              paragraph("Last.")],
        publish=False,
    )
    article.access_level = AccessLevel.PAID
    article.preview_paragraphs = 2
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def test_a_cached_page_costs_one_query_and_no_routing(client, piece):
    client.get(piece.url)
    count, html = queries(client, piece.url)
    assert count == 1  # the stamps and the thread, together
    assert "Free opening." in html and "The paid-only finding." not in html


def test_each_kind_of_reader_gets_its_own_page(piece):
    tier = TierFactory()
    readers = {
        "anonymous": Client(),
        "member": signed_in(MemberFactory().user),
        "paying": signed_in(SubscriptionFactory(tier=tier).member.user),
        "staff": signed_in(StaffFactory()),
    }
    for _ in range(2):
        for name, client in readers.items():
            html = client.get(piece.url).content.decode()
            assert ("The paid-only finding." in html) == (name in ("paying", "staff")), name
            assert ("Your account" in html) == (name != "anonymous"), name
    classes = {key.rsplit(":", 1)[1] for key in cache._cache if "masthead:article-page:" in key}
    assert classes == {"anonymous", "member", f"tiers-{tier.pk}"}  # staff pages are never stored
    staff_count, _ = queries(readers["staff"], piece.url)
    assert staff_count > 3


def test_publishing_unpublishing_and_settings_show_at_once(client, piece):
    client.get(piece.url)
    revision = piece.save_revision()
    piece.title = "Harbour dues, revised"
    piece.save_revision().publish()
    assert "Harbour dues, revised" in client.get(piece.url).content.decode()
    publication = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
    publication.name = "The Tidewater Ledger"
    publication.save()
    assert "The Tidewater Ledger" in client.get(piece.url).content.decode()
    author = piece.byline[0]
    author.name = "Renamed Author"
    author.save()
    assert "Renamed Author" in client.get(piece.url).content.decode()
    gate = GateSettings.for_site(Site.objects.get(is_default_site=True))
    gate.mode = "off"
    gate.save()
    assert "The paid-only finding." in client.get(piece.url).content.decode()
    assert revision is not None
    ArticlePage.objects.get(pk=piece.pk).unpublish()
    assert client.get(piece.url).status_code == 404


def test_a_stamp_replaced_by_another_process_is_seen_at_once(client, piece):
    client.get(piece.url)
    assert queries(client, piece.url)[0] == 1
    # Another server process with its own local-memory cache saved something: only the database row tells.
    CacheStamps.objects.update(content="from-another-process")
    assert queries(client, piece.url)[0] > 1


def test_comments_votes_and_moderation_show_at_once(section):
    member = MemberFactory().user
    article = make_article(section=section)
    reader = Client()
    first = make_comment(article=article, body="The first comment.")
    assert "The first comment." in reader.get(article.url).content.decode()
    second = make_comment(article=article, body="A second comment.")
    assert "A second comment." in reader.get(article.url).content.decode()
    check_vote(comment_id=first.pk, user=member, value=1)
    assert "1 point" in reader.get(article.url).content.decode()
    do_moderate(comments=[second], action="reject", editor=StaffFactory())
    assert "A second comment." not in reader.get(article.url).content.decode()


def test_members_share_the_page_but_get_their_own_votes_controls_and_token(section):
    article = make_article(section=section)
    alice, bob = MemberFactory().user, MemberFactory().user
    by_alice = make_comment(article=article, author=alice, body="Alice writes.")
    by_bob = make_comment(article=article, author=bob, body="Bob writes.")
    check_vote(comment_id=by_bob.pk, user=alice, value=1)
    clients = {"alice": signed_in(alice), "bob": signed_in(bob)}
    for _ in range(2):  # filled by one, served from the cache to the other, both ways
        pages = {name: client.get(article.url).content.decode() for name, client in clients.items()}
        for name, html in pages.items():
            assert str(CSRF_HOLE) not in html
            own, other = (by_alice, by_bob) if name == "alice" else (by_bob, by_alice)
            assert f'action="/discussion/comment/{own.pk}/delete/"' in html, name
            assert f'action="/discussion/comment/{other.pk}/delete/"' not in html, name
            assert f'action="/discussion/comment/{other.pk}/vote/"' in html, name
            assert f'action="/discussion/comment/{own.pk}/vote/"' not in html, name
        pressed = re.findall(r'aria-pressed="true"', pages["alice"])
        assert len(pressed) == 1 and 'aria-pressed="true"' not in pages["bob"]
        tokens = {name: re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html) for name, html in pages.items()}
        assert tokens["alice"] and tokens["bob"]
        assert clients["alice"].cookies["csrftoken"].value != clients["bob"].cookies["csrftoken"].value


def test_the_tokens_on_a_members_rendered_and_cached_pages_post(section):
    from masthead.discussion.models import Comment

    article = make_article(section=section)
    make_comment(article=article, body="Start of the thread.")
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(MemberFactory().user)
    first = reader.get(article.url)
    assert "csrftoken" in first.cookies  # the page's forms needed a secret: Django made one
    tokens = set()
    for _ in range(2):  # the second is served from the cache
        response = reader.get(article.url)
        tokens.update(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()))
    assert len(tokens) == 2  # a new mask on each response
    for number, token in enumerate(sorted(tokens)):
        posted = reader.post(
            f"/discussion/{article.pk}/post/", {"body": f"Reply {number}.", "csrfmiddlewaretoken": token}
        )
        assert posted.status_code == 303
    assert Comment.objects.filter(body__startswith="Reply").count() == 2
    forged = reader.post(
        f"/discussion/{article.pk}/post/", {"body": "Forged.", "csrfmiddlewaretoken": "x" * 64}
    )
    assert forged.status_code == 403


def test_the_edit_window_is_decided_per_request(section):
    article = make_article(section=section)
    alice = MemberFactory().user
    recent = make_comment(article=article, author=alice, body="Just written.")
    old = make_comment(article=article, author=alice, body="Long ago.", created_at=timezone.now() - timedelta(hours=2))
    html = signed_in(alice).get(article.url).content.decode()
    html = signed_in(alice).get(article.url).content.decode()
    assert f'href="/discussion/comment/{recent.pk}/edit/"' in html
    assert f'href="/discussion/comment/{old.pk}/edit/"' not in html


def test_a_notice_after_posting_is_never_cached(client, section):
    article = make_article(section=section)
    session = client.session
    session["discussion_notice"] = "Thank you: your comment will appear once approved."
    session.save()
    assert "Thank you: your comment" in client.get(article.url).content.decode()
    assert "Thank you: your comment" not in client.get(article.url).content.decode()
    assert "Thank you: your comment" not in Client().get(article.url).content.decode()


def test_metered_readers_are_cached_by_what_the_meter_decided(client, section):
    gate = GateSettings.for_site(Site.objects.get(is_default_site=True))
    gate.mode, gate.metered_free_articles = "metered", 1
    gate.save()
    pieces = []
    for number in range(2):
        piece = make_article(section=section, body=[paragraph("Open."), paragraph("More."), paragraph(f"Metered {number}."),
                                                    paragraph("End.")], publish=False)
        piece.preview_paragraphs = 2
        piece.save_revision().publish()
        pieces.append(piece)
    assert "Metered 0." in client.get(pieces[0].url).content.decode()
    assert "Metered 0." in client.get(pieces[0].url).content.decode()  # the same article again: still free
    assert "Metered 1." not in client.get(pieces[1].url).content.decode()  # the free article is used up
    assert "Metered 1." in Client().get(pieces[1].url).content.decode()  # a new browser has one to spend


def test_uncached_page_query_count_is_flat_as_the_thread_grows(section, settings):
    settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = 0  # the rendering path itself, every time
    small, large = make_article(section=section), make_article(section=section)
    member = MemberFactory().user
    for number in range(3):
        make_comment(article=small, author=member if number == 0 else None)
    for number in range(60):
        parent = make_comment(article=large, author=member if number == 0 else None)
        make_comment(parent=parent)
    for client in (Client(), signed_in(member)):
        client.get(small.url), client.get(large.url)
        assert queries(client, small.url)[0] == queries(client, large.url)[0]


@dataclass(frozen=True)
class OlderFacts:
    """ArticleFacts as an earlier release kept them, without fields this one reads."""

    pk: int
    live: bool


@dataclass(frozen=True)
class OlderRoute:
    content_stamp: str
    facts: OlderFacts


def test_a_route_kept_by_an_older_release_is_never_read(piece):
    """Redis outlives a deploy: what the previous release kept under the route's address, in a shape this one
    cannot read (a field missing), must not be served from, nor break the page."""

    host, path = "testserver", piece.url
    older_route = OlderRoute("stamp", OlderFacts(piece.pk, True))
    for key in (f"masthead:page-route:{host}:{path}", f"masthead:page-route:00000000:{host}:{path}"):
        cache.set(key, older_route, 60)
    for _ in range(2):  # the first request keeps a route of its own, the second reads it
        response = Client().get(path)
        assert response.status_code == 200 and "Free opening." in response.content.decode()
