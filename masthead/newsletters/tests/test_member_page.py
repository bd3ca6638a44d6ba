"""The member's page lists the newsletters they may receive, each with a Join or Leave button."""

import pytest

from masthead.membership.factories import MemberFactory, SubscriptionFactory, TierFactory
from masthead.newsletters.factories import NewsletterFactory
from masthead.newsletters.models import Audience, ConsentSource, NewsletterSubscription, SubscriptionState

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, section):
    member = MemberFactory()
    client.force_login(member.user)
    return member


@pytest.fixture
def letters(section):
    tier = TierFactory(slug="supporter")
    paid = NewsletterFactory(name="The early briefing", slug="early-briefing", audience=Audience.PAID)
    paid.tiers.set([tier])
    return NewsletterFactory(name="New articles", slug="new-articles"), paid, tier


def test_a_member_joins_and_leaves_from_their_page(client, member, letters):
    everyone, paid, _ = letters
    page = client.get("/members/account/").content.decode()
    assert "Join New articles" in page and "The early briefing" not in page  # not for a free member

    response = client.post("/newsletters/new-articles/join/")
    assert response.status_code == 302 and response["Location"].endswith("#newsletters")
    subscription = NewsletterSubscription.objects.get(member=member)
    assert subscription.state == SubscriptionState.SUBSCRIBED
    assert subscription.consent_source == ConsentSource.MEMBER_PAGE
    assert "Leave New articles" in client.get("/members/account/").content.decode()

    client.post("/newsletters/new-articles/leave/")
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.UNSUBSCRIBED
    assert "Join New articles" in client.get("/members/account/").content.decode()


def test_a_paid_newsletter_is_refused_to_a_free_member_and_offered_to_a_payer(client, member, letters):
    _, paid, tier = letters
    response = client.post("/newsletters/early-briefing/join/")
    assert response.status_code == 403 and "another tier" in response.content.decode()
    assert not NewsletterSubscription.objects.exists()
    SubscriptionFactory(member=member, tier=tier)
    assert "Join The early briefing" in client.get("/members/account/").content.decode()
    client.post("/newsletters/early-briefing/join/")
    assert NewsletterSubscription.objects.get(member=member).newsletter == paid


def test_joining_needs_a_signed_in_member_and_a_known_newsletter(client, section, letters):
    response = client.post("/newsletters/new-articles/join/")
    assert response.status_code == 302 and "/members/sign-in/" in response["Location"]
    client.force_login(MemberFactory().user)
    assert client.post("/newsletters/no-such-letter/join/").status_code == 404
    assert client.get("/newsletters/new-articles/join/").status_code == 405
    assert not NewsletterSubscription.objects.exists()


def test_a_members_download_lists_their_newsletters_and_deletion_forgets_them(client, member, letters):
    client.post("/newsletters/new-articles/join/")
    data = client.get("/members/account/data.json").json()
    [entry] = data["newsletter_subscriptions"]
    assert entry["newsletter"] == "New articles" and entry["state"] == "subscribed"
    assert entry["consent_source"] == ConsentSource.MEMBER_PAGE and entry["subscribed_at"]
    response = client.post("/members/account/delete/", {"confirm": "delete"})
    assert response.status_code == 200
    assert not NewsletterSubscription.objects.exists()
