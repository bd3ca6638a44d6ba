"""The Subscribe form: double opt-in by a signed link, the same answer for members and strangers, rate limits."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client

from masthead.accounts.factories import StaffFactory
from masthead.membership.factories import MemberFactory
from masthead.membership.models import Member
from masthead.newsletters import tokens
from masthead.newsletters.factories import NewsletterFactory
from masthead.newsletters.models import ConsentSource, NewsletterSubscription, SubscriptionState

pytestmark = pytest.mark.django_db

ADDRESS = "heron@example.org"


@pytest.fixture
def newsletters(section):
    return (
        NewsletterFactory(name="New articles", slug="new-articles", default_on_sign_up=True),
        NewsletterFactory(name="Opt-in extras", slug="extras", default_on_sign_up=False),
    )


def subscribe(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/subscribe/", {"email": email})


def confirm_path(message) -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/subscribe/confirm/\S+/)", message.body).group(1)


def test_subscribing_takes_a_confirmed_link_and_makes_a_free_member(
    client, newsletters, django_capture_on_commit_callbacks
):
    default, extras = newsletters
    page = client.get("/subscribe/")
    assert page.status_code == 200 and b'name="email"' in page.content
    response = subscribe(client, " Heron@Example.org ", django_capture_on_commit_callbacks)
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    [message] = mail.outbox
    assert message.to == [ADDRESS] and "Confirm your subscription" in message.subject
    assert not Member.objects.exists()  # nothing is stored before the address is confirmed

    # Opening the link (as a mail scanner does) changes nothing: it shows a button.
    path = confirm_path(message)
    shown = Client().get(path)
    assert shown.status_code == 200 and "<button" in shown.content.decode() and ADDRESS in shown.content.decode()
    assert shown["Referrer-Policy"] == "no-referrer"
    assert not Member.objects.exists()

    confirmed = Client(enforce_csrf_checks=True).post(path)
    assert confirmed.status_code == 200 and "You are subscribed" in confirmed.content.decode()
    member = Member.objects.get(user__email=ADDRESS)
    [subscription] = NewsletterSubscription.objects.filter(member=member)
    assert subscription.newsletter == default and subscription.state == SubscriptionState.SUBSCRIBED
    assert subscription.consent_source == ConsentSource.SUBSCRIBE_FORM and subscription.subscribed_at

    # A second click on the same link adds nobody and nothing.
    assert Client().post(path).status_code == 200
    assert Member.objects.count() == 1 and NewsletterSubscription.objects.count() == 1


def test_the_answer_is_the_same_for_a_member_and_a_stranger(client, newsletters, django_capture_on_commit_callbacks):
    member = MemberFactory(user__email="member@example.org")
    known = subscribe(client, "member@example.org", django_capture_on_commit_callbacks)
    unknown = subscribe(client, "stranger@example.org", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().replace("member@", "X@") == unknown.content.decode().replace("stranger@", "X@")
    assert [message.to for message in mail.outbox] == [["member@example.org"], ["stranger@example.org"]]
    assert mail.outbox[0].body.replace("member@", "X@").split("confirm/")[0] == mail.outbox[1].body.replace(
        "stranger@", "X@"
    ).split("confirm/")[0]

    # The member's confirmation subscribes their existing membership; no second account appears.
    Client().post(confirm_path(mail.outbox[0]))
    assert Member.objects.filter(user__email__iexact="member@example.org").count() == 1
    assert NewsletterSubscription.objects.get(member=member).state == SubscriptionState.SUBSCRIBED


def test_an_unsubscribed_member_who_confirms_again_is_subscribed_again(
    client, newsletters, django_capture_on_commit_callbacks
):
    member = MemberFactory(user__email=ADDRESS)
    NewsletterSubscription.objects.create(
        member=member, newsletter=newsletters[0], state=SubscriptionState.UNSUBSCRIBED, consent_source="import"
    )
    subscribe(client, ADDRESS, django_capture_on_commit_callbacks)
    Client().post(confirm_path(mail.outbox[0]))
    subscription = NewsletterSubscription.objects.get(member=member)
    assert subscription.state == SubscriptionState.SUBSCRIBED
    assert subscription.consent_source == ConsentSource.SUBSCRIBE_FORM


def test_a_changed_link_is_refused_with_a_reason(client, newsletters, django_capture_on_commit_callbacks):
    subscribe(client, ADDRESS, django_capture_on_commit_callbacks)
    path = confirm_path(mail.outbox[0])
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    for method in (client.get, client.post):
        response = method(tampered)
        assert response.status_code == 400
        assert "not one we sent" in response.content.decode()
    assert not Member.objects.exists()


class SignedLongAgo(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 49 * 3600)


def test_an_expired_link_says_so(client, newsletters):
    token = SignedLongAgo(salt=tokens.CONFIRM_SALT).sign_object({"email": ADDRESS}, compress=True)
    response = client.post(f"/subscribe/confirm/{token}/")
    assert response.status_code == 400 and "48 hours" in response.content.decode()
    assert not Member.objects.exists()


def test_an_unsubscribe_token_is_not_a_confirmation(client, newsletters):
    token = tokens.make_unsubscribe_token(1)
    assert client.post(f"/subscribe/confirm/{token}/").status_code == 400


def test_an_invalid_address_is_a_400_and_sends_nothing(client, newsletters, django_capture_on_commit_callbacks):
    response = subscribe(client, "not an address", django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "Enter a whole e-mail address." in response.content.decode()
    assert mail.outbox == []


def test_requests_are_rate_limited_per_address(client, newsletters, settings, django_capture_on_commit_callbacks):
    settings.MASTHEAD_SUBSCRIBE_REQUESTS_PER_ADDRESS = 2
    assert [subscribe(client, ADDRESS, django_capture_on_commit_callbacks).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert len(mail.outbox) == 2
    assert subscribe(client, "other@example.org", django_capture_on_commit_callbacks).status_code == 200


def test_a_staff_address_is_not_made_a_member(client, newsletters, django_capture_on_commit_callbacks):
    StaffFactory(email="editor@example.org")
    subscribe(client, "editor@example.org", django_capture_on_commit_callbacks)
    response = Client().post(confirm_path(mail.outbox[0]))
    assert response.status_code == 403 and "runs the site" in response.content.decode()
    assert not Member.objects.exists()


def test_the_form_posts_only_with_a_csrf_token(newsletters):
    assert Client(enforce_csrf_checks=True).post("/subscribe/", {"email": ADDRESS}).status_code == 403
