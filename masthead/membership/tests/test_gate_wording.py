"""The gate says what an article needs and never sends a reader to a dead end."""

import re

import pytest
from django.test import Client

from masthead.accounts.factories import StaffFactory
from masthead.articles.models import AccessLevel
from masthead.membership.factories import MemberFactory, TierFactory
from masthead.membership.tests.test_gate_pages import GATE, article

pytestmark = pytest.mark.django_db
SECRET = "The hidden clause."


@pytest.fixture
def payments_open(settings):
    settings.MASTHEAD_STRIPE_SECRET_KEY = "sk_test_offline"
    settings.MASTHEAD_STRIPE_WEBHOOK_SECRET = "whsec_offline"


def page_for(client, piece) -> str:
    """The gate's part of the article page."""
    html = client.get(piece.url).content.decode()
    assert SECRET not in html
    return re.search(r'<aside class="gate.*?</aside>', html, re.S).group(0)


def member() -> Client:
    client = Client()
    client.force_login(MemberFactory().user)
    return client


def test_without_payments_a_paid_article_says_so_and_offers_no_free_sign_up(section):
    TierFactory(name="Supporter")
    piece = article(section, level=AccessLevel.PAID)
    for client in (Client(), member()):
        html = page_for(client, piece)
        assert "This article is for paying subscribers" in html
        assert "Subscriptions are not open yet" in html
        assert 'action="/members/sign-in/"' not in html  # no sign-up form leading to a second wall
        assert "See the subscriptions" not in html


def test_with_payments_a_paid_article_leads_to_the_subscriptions(section, payments_open):
    TierFactory(name="Supporter")
    TierFactory(name="Patron")
    piece = article(section, level=AccessLevel.PAID)
    html = page_for(Client(), piece)
    assert "See the subscriptions" in html and 'href="/members/join/"' in html
    assert "Already a subscriber?" in html and 'action="/members/sign-in/"' not in html


def test_an_article_for_named_tiers_names_them(section, payments_open):
    supporter, patron = TierFactory(name="Supporter"), TierFactory(name="Patron")
    TierFactory(name="Student")
    piece = article(section, level=AccessLevel.TIERS)
    piece.allowed_tiers.set([supporter, patron])
    piece.save_revision().publish()
    html = page_for(member(), piece)
    assert "This article is for subscribers to" in html
    assert "Supporter" in html and "Patron" in html and "Student" not in html


def test_a_members_article_offers_the_free_sign_up(section):
    piece = article(section, level=AccessLevel.MEMBERS)
    html = page_for(Client(), piece)
    assert GATE in html and 'action="/members/sign-in/"' in html


def test_editors_are_told_when_a_paid_article_cannot_be_bought(section):
    piece = article(section, level=AccessLevel.PAID)
    editor = Client()
    editor.force_login(StaffFactory())
    html = editor.get(piece.url).content.decode()
    assert SECRET in html and "payments are not set up" in html
