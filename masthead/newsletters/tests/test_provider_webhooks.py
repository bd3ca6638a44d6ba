"""Bounces, complaints and unsubscribes reported by the mail provider through anymail's tracking webhooks, posted
to the real URLs with a valid and an invalid signature (Mailgun's HMAC) or password (Postmark's basic auth)."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail
from django.test import override_settings

from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import (
    Cadence,
    Delivery,
    DeliveryStatus,
    NewsletterSubscription,
    ProviderEvent,
    ProviderEventKind,
    SubscriptionState,
)

pytestmark = pytest.mark.django_db

SIGNING_KEY = "mailgun-signing-key-for-tests"
WEBHOOK_SECRET = "hooks:a-long-random-password"
POSTMARK_URL = "/anymail/postmark/tracking/"
MAILGUN_URL = "/anymail/mailgun/tracking/"


@pytest.fixture(autouse=True)
def _provider(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": WEBHOOK_SECRET}
    settings.MASTHEAD_NEWSLETTER_SOFT_BOUNCE_LIMIT = 3


@pytest.fixture
def letters(section):
    return NewsletterFactory(slug="harbour"), NewsletterFactory(slug="extras", cadence=Cadence.MANUAL)


@pytest.fixture
def sent(letters, publish):
    """Two subscribers of the first newsletter (one also of the second), an article sent to them."""
    harbour, extras = letters
    for email in ("ana@example.org", "ben@example.org"):
        NewsletterSubscriptionFactory(newsletter=harbour, member__user__email=email)
    NewsletterSubscriptionFactory(
        newsletter=extras, member=NewsletterSubscription.objects.get(member__user__email="ana@example.org").member
    )
    publish(title="Low water")
    deliveries = {delivery.member.user.email: delivery for delivery in Delivery.objects.select_related("member__user")}
    assert len(mail.outbox) == 2 and all(delivery.message_id for delivery in deliveries.values())
    return deliveries


def auth(secret=WEBHOOK_SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark(client, payload, *, secret=WEBHOOK_SECRET):
    with override_settings(MASTHEAD_EMAIL_PROVIDER="postmark"):
        return client.post(POSTMARK_URL, json.dumps(payload), content_type="application/json", **auth(secret))


def postmark_bounce(delivery, *, kind="HardBounce", event_id=1001, record="Bounce"):
    return {
        "RecordType": record,
        "Type": kind,
        "ID": event_id,
        "MessageID": delivery.message_id,
        "Email": delivery.member.user.email,
        "BouncedAt": "2026-12-07T10:00:00Z",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    }


def mailgun(client, event_data, *, token, key=SIGNING_KEY):
    timestamp = str(int(time.time()))
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    payload = {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": event_data}
    with override_settings(MASTHEAD_EMAIL_PROVIDER="mailgun"):
        return client.post(MAILGUN_URL, json.dumps(payload), content_type="application/json", **auth())


def mailgun_soft_bounce(email, message_id):
    return {
        "event": "failed",
        "severity": "temporary",
        "recipient": email,
        "timestamp": time.time(),
        "message": {"headers": {"message-id": message_id}},
        "delivery-status": {"message": "452 4.2.2 Mailbox full", "description": "", "code": 452},
    }


def state(email, slug="harbour"):
    return NewsletterSubscription.objects.get(member__user__email=email, newsletter__slug=slug).state


def test_the_delivery_keeps_the_id_the_provider_reports_it_by(sent):
    # anymail's test backend numbers its messages; SMTP gets the Message-ID header masthead set
    assert sorted(delivery.message_id for delivery in sent.values()) == ["0", "1"]
    assert all("Message-ID" in message.extra_headers for message in mail.outbox)


def test_a_hard_bounce_suppresses_the_address_at_once_and_marks_the_delivery(client, sent):
    response = postmark(client, postmark_bounce(sent["ana@example.org"]))
    assert response.status_code == 200
    assert state("ana@example.org") == SubscriptionState.BOUNCED
    assert state("ana@example.org", "extras") == SubscriptionState.BOUNCED  # a bounce is about the address
    assert state("ben@example.org") == SubscriptionState.SUBSCRIBED
    delivery = Delivery.objects.get(pk=sent["ana@example.org"].pk)
    assert delivery.status == DeliveryStatus.BOUNCED and "unable to deliver" in delivery.last_error
    event = ProviderEvent.objects.get()
    assert (event.kind, event.provider, event.delivery_id) == (ProviderEventKind.HARD_BOUNCE, "Postmark", delivery.pk)


def test_a_wrong_password_is_refused_and_changes_nothing(client, sent):
    response = postmark(client, postmark_bounce(sent["ana@example.org"]), secret="hooks:guessed")
    assert response.status_code == 400
    assert state("ana@example.org") == SubscriptionState.SUBSCRIBED
    assert Delivery.objects.get(pk=sent["ana@example.org"].pk).status == DeliveryStatus.SENT
    assert not ProviderEvent.objects.exists()


def test_a_provider_retrying_the_same_event_is_recorded_once(client, sent):
    for _ in range(2):
        assert postmark(client, postmark_bounce(sent["ana@example.org"], kind="SoftBounce")).status_code == 200
    assert ProviderEvent.objects.count() == 1


def test_a_complaint_suppresses_and_marks_the_delivery_complained(client, sent):
    payload = postmark_bounce(sent["ben@example.org"], kind="SpamComplaint", record="SpamComplaint")
    assert postmark(client, payload).status_code == 200
    assert state("ben@example.org") == SubscriptionState.COMPLAINED
    assert Delivery.objects.get(pk=sent["ben@example.org"].pk).status == DeliveryStatus.COMPLAINED


def test_an_unsubscribe_at_the_provider_leaves_that_newsletter_only(client, sent):
    delivery = sent["ana@example.org"]
    payload = {
        "RecordType": "SubscriptionChange",
        "MessageID": delivery.message_id,
        "Recipient": "ana@example.org",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "ChangedAt": "2026-12-07T10:00:00Z",
    }
    assert postmark(client, payload).status_code == 200
    assert state("ana@example.org") == SubscriptionState.UNSUBSCRIBED
    assert state("ana@example.org", "extras") == SubscriptionState.SUBSCRIBED
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT


def test_soft_bounces_suppress_after_the_limit_of_distinct_messages(client, sent):
    delivery = sent["ben@example.org"]
    # The same message deferred twice counts once, then two more messages soft-bounce (by address only).
    assert mailgun(client, mailgun_soft_bounce("ben@example.org", delivery.message_id), token="t1").status_code == 200
    assert mailgun(client, mailgun_soft_bounce("ben@example.org", delivery.message_id), token="t2").status_code == 200
    assert (
        mailgun(client, mailgun_soft_bounce("ben@example.org", "other-1@mg.example.org"), token="t3").status_code == 200
    )
    assert state("ben@example.org") == SubscriptionState.SUBSCRIBED
    assert ProviderEvent.objects.filter(kind=ProviderEventKind.SOFT_BOUNCE).count() == 3
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT  # deferred, not lost

    assert (
        mailgun(client, mailgun_soft_bounce("ben@example.org", "other-2@mg.example.org"), token="t4").status_code == 200
    )
    assert state("ben@example.org") == SubscriptionState.BOUNCED


def test_a_delivery_report_forgives_earlier_soft_bounces(client, sent):
    for token in ("s1", "s2"):
        mailgun(client, mailgun_soft_bounce("ben@example.org", f"{token}@mg.example.org"), token=token)
    delivered = {
        "event": "delivered",
        "recipient": "ben@example.org",
        "timestamp": time.time(),
        "message": {"headers": {"message-id": "ok@mg"}},
    }
    assert mailgun(client, delivered, token="d1").status_code == 200
    assert not ProviderEvent.objects.exists()
    for token in ("s3", "s4"):
        mailgun(client, mailgun_soft_bounce("ben@example.org", f"{token}@mg.example.org"), token=token)
    assert state("ben@example.org") == SubscriptionState.SUBSCRIBED


def test_a_wrong_mailgun_signature_is_refused_and_changes_nothing(client, sent):
    event = {**mailgun_soft_bounce("ana@example.org", "x@mg"), "severity": "permanent"}
    response = mailgun(client, event, token="forged", key="not-the-key")
    assert response.status_code == 400
    assert state("ana@example.org") == SubscriptionState.SUBSCRIBED and not ProviderEvent.objects.exists()
    # The same event, signed with the key: a permanent failure is a hard bounce.
    assert mailgun(client, event, token="signed").status_code == 200
    assert state("ana@example.org") == SubscriptionState.BOUNCED


def test_a_report_about_an_unknown_address_is_kept_and_touches_no_one(client, sent):
    payload = {**postmark_bounce(sent["ana@example.org"]), "MessageID": "unknown", "Email": "stranger@example.com"}
    assert postmark(client, payload).status_code == 200
    event = ProviderEvent.objects.get()
    assert event.member is None and event.email == "stranger@example.com"
    assert NewsletterSubscription.objects.filter(state=SubscriptionState.SUBSCRIBED).count() == 3


def test_a_members_download_lists_what_providers_reported(client, sent):
    postmark(client, postmark_bounce(sent["ana@example.org"], kind="SoftBounce"))
    client.force_login(sent["ana@example.org"].member.user)
    [report] = client.get("/members/account/data.json").json()["newsletter_provider_reports"]
    assert report["kind"] == "soft_bounce" and report["provider"] == "Postmark"


def test_an_address_that_subscribes_again_after_soft_bounces_starts_afresh(client, sent):
    for token in ("r1", "r2", "r3"):
        mailgun(client, mailgun_soft_bounce("ben@example.org", f"{token}@mg.example.org"), token=token)
    assert state("ben@example.org") == SubscriptionState.BOUNCED
    client.force_login(sent["ben@example.org"].member.user)
    assert client.post("/newsletters/harbour/join/").status_code in (200, 302)
    assert state("ben@example.org") == SubscriptionState.SUBSCRIBED
    mailgun(client, mailgun_soft_bounce("ben@example.org", "r4@mg.example.org"), token="r4")
    assert state("ben@example.org") == SubscriptionState.SUBSCRIBED


def test_only_the_configured_providers_webhook_is_served_and_only_with_a_password(client, settings, sent):
    payload = json.dumps(postmark_bounce(sent["ana@example.org"]))
    settings.MASTHEAD_EMAIL_PROVIDER = "mailgun"  # sending through Mailgun: a Postmark-shaped report is not taken
    assert client.post(POSTMARK_URL, payload, content_type="application/json", **auth()).status_code == 404
    assert client.get("/anymail/unknown/tracking/").status_code == 404
    settings.MASTHEAD_EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {}  # Postmark signs nothing: without the password anyone could post, so nothing is served
    assert client.post(POSTMARK_URL, payload, content_type="application/json").status_code == 404
    assert state("ana@example.org") == SubscriptionState.SUBSCRIBED and not ProviderEvent.objects.exists()
