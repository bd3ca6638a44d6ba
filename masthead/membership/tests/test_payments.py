"""Stripe: checkout and portal against a stand-in for Stripe's API on 127.0.0.1; webhooks signed offline."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.membership.factories import MemberFactory, SubscriptionFactory, TierFactory, signed_event
from masthead.membership.models import Member, PaymentEvent, Subscription, SubscriptionStatus

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_secret_for_offline_signing"
WEBHOOK = "/members/payments/stripe/webhook/"


class FakeStripe:
    """Stands in for api.stripe.com: records each request and answers as Stripe's API would."""

    def __init__(self):
        self.requests = []
        self.subscriptions = set()  # ids Stripe knows; cancelling another is "resource_missing"
        self.down = False  # answer every request with a 500, as an outage would
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                fake.requests.append((self.path, parse_qs(body), self.headers.get("Authorization")))
                if self.path == "/v1/checkout/sessions":
                    answer = {
                        "id": "cs_test_1",
                        "object": "checkout.session",
                        "url": "https://checkout.stripe.com/c/pay/cs_test_1",
                    }
                elif self.path == "/v1/billing_portal/sessions":
                    answer = {
                        "id": "bps_1",
                        "object": "billing_portal.session",
                        "url": "https://billing.stripe.com/p/session/bps_1",
                    }
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_DELETE(self):
                fake.requests.append((self.path, {}, self.headers.get("Authorization")))
                subscription_id = self.path.removeprefix("/v1/subscriptions/")
                if fake.down:
                    status, answer = 500, {"error": {"type": "api_error", "message": "Stripe is having a bad day."}}
                elif subscription_id in fake.subscriptions:
                    fake.subscriptions.discard(subscription_id)
                    status, answer = 200, {"id": subscription_id, "object": "subscription", "status": "canceled"}
                else:
                    status, answer = 404, {
                        "error": {"type": "invalid_request_error", "code": "resource_missing",
                                  "message": f"No such subscription: '{subscription_id}'"}
                    }
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stripe_keys(settings):
    fake = FakeStripe()
    settings.MASTHEAD_STRIPE_SECRET_KEY = "sk_test_offline"
    settings.MASTHEAD_STRIPE_WEBHOOK_SECRET = SECRET
    settings.MASTHEAD_STRIPE_API_BASE = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def tier(db):
    return TierFactory(name="Supporter", slug="supporter")


@pytest.fixture
def member(client):
    member = MemberFactory(user__email="payer@example.org")
    client.force_login(member.user)
    return member


def deliver(client, event_type, data, **kwargs):
    payload, header = signed_event(event_type, data, secret=SECRET, **kwargs)
    return client.post(WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def test_without_keys_paid_tiers_are_coming_soon(client, tier, member):
    page = client.get("/members/join/").content.decode()
    assert "Supporter" in page and "Coming soon." in page and "Pay monthly" not in page
    assert client.post("/members/checkout/", {"tier": "supporter", "interval": "month"}).status_code == 400
    assert client.post(WEBHOOK, "{}", content_type="application/json").status_code == 400


def test_checkout_sends_the_tier_price_to_stripe(client, tier, member, stripe_keys):
    assert "Pay monthly" in client.get("/members/join/").content.decode()
    response = client.post("/members/checkout/", {"tier": "supporter", "interval": "year"})
    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    ((path, form, authorization),) = stripe_keys.requests
    assert path == "/v1/checkout/sessions" and authorization == "Bearer sk_test_offline"
    assert form["mode"] == ["subscription"]
    assert form["line_items[0][price]"] == ["price_supporter_year"]
    assert form["client_reference_id"] == [str(member.pk)]
    assert form["customer_email"] == ["payer@example.org"]
    assert form["subscription_data[metadata][tier]"] == ["supporter"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"tier": "platinum", "interval": "month"}, "There is no tier called &#x27;platinum&#x27;"),
        ({"tier": "supporter", "interval": "fortnight"}, "There is no billing period called"),
        ({"tier": "", "interval": ""}, "There is no billing period"),
    ],
)
def test_unknown_tier_or_price_is_a_clear_400(client, tier, member, stripe_keys, data, message):
    response = client.post("/members/checkout/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert stripe_keys.requests == []


def test_a_tier_without_a_price_for_the_period_is_a_400(client, member, stripe_keys):
    TierFactory(slug="monthly-only", stripe_yearly_price_id="")
    response = client.post("/members/checkout/", {"tier": "monthly-only", "interval": "year"})
    assert response.status_code == 400 and "has no yearly price yet" in response.content.decode()


def test_checkout_needs_a_signed_in_member(client, tier, stripe_keys):
    assert client.post("/members/checkout/", {"tier": "supporter", "interval": "month"}).status_code == 302
    assert stripe_keys.requests == []


def test_portal_link(client, member, stripe_keys):
    assert client.post("/members/portal/").status_code == 400  # no customer yet
    member.stripe_customer_id = "cus_123"
    member.save()
    response = client.post("/members/portal/")
    assert response.status_code == 302 and response["Location"].startswith("https://billing.stripe.com/")
    assert stripe_keys.requests[-1][1]["customer"] == ["cus_123"]


def subscription_object(member, tier, *, status="active", cancel_at_period_end=False, price=None):
    return {
        "id": "sub_journey",
        "object": "subscription",
        "customer": "cus_journey",
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "metadata": {"member": str(member.pk), "tier": tier.slug, "interval": "month"},
        "items": {
            "data": [
                {
                    "price": {"id": price or tier.stripe_monthly_price_id},
                    "current_period_end": int(time.time()) + 86400 * 30,
                }
            ]
        },
    }


def test_from_the_gate_to_a_paid_subscription_and_back_to_cancelled(
    client, section, tier, member, stripe_keys
):
    piece = make_article(
        section=section,
        body=[
            paragraph("Free opening."),
            {"type": "preview_cut", "value": None},
            paragraph("The paid finding."),
        ],
        publish=False,
    )
    piece.access_level = AccessLevel.PAID
    piece.save_revision().publish()
    piece = ArticlePage.objects.get(pk=piece.pk)

    def reads_whole_article():
        return "The paid finding." in client.get(piece.url).content.decode()

    assert not reads_whole_article()
    assert client.post("/members/checkout/", {"tier": "supporter", "interval": "month"}).status_code == 302
    now = int(time.time())
    completed = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "client_reference_id": str(member.pk),
        "customer": "cus_journey",
        "subscription": "sub_journey",
        "metadata": {"member": str(member.pk), "tier": "supporter", "interval": "month"},
    }
    assert (
        deliver(
            client, "checkout.session.completed", completed, event_id="evt_1", created=now - 30
        ).status_code
        == 200
    )
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.ACTIVE and subscription.tier == tier
    member.refresh_from_db()
    assert member.stripe_customer_id == "cus_journey"
    assert reads_whole_article()

    failed = {"id": "in_1", "object": "invoice", "subscription": "sub_journey"}
    assert (
        deliver(client, "invoice.payment_failed", failed, event_id="evt_2", created=now - 20).status_code
        == 200
    )
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert "Your last payment failed" in client.get("/members/account/").content.decode()
    assert reads_whole_article()  # Stripe is still retrying

    cancelling = subscription_object(member, tier, cancel_at_period_end=True)
    assert (
        deliver(
            client, "customer.subscription.updated", cancelling, event_id="evt_3", created=now - 10
        ).status_code
        == 200
    )
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE and subscription.cancel_at_period_end
    assert subscription.current_period_end is not None

    deleted = subscription_object(member, tier, status="canceled")
    assert (
        deliver(client, "customer.subscription.deleted", deleted, event_id="evt_4", created=now).status_code
        == 200
    )
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED
    assert not reads_whole_article()

    # The same events delivered again change nothing.
    for event_id, event_type, data in [
        ("evt_1", "checkout.session.completed", completed),
        ("evt_3", "customer.subscription.updated", cancelling),
    ]:
        response = deliver(client, event_type, data, event_id=event_id, created=now - 30)
        assert response.status_code == 200 and response.content == b"already applied"
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED
    assert PaymentEvent.objects.count() == 4


def test_a_late_older_event_does_not_undo_a_newer_one(client, tier, member, stripe_keys):
    now = int(time.time())
    deliver(
        client,
        "customer.subscription.deleted",
        subscription_object(member, tier, status="canceled"),
        created=now,
    )
    deliver(
        client,
        "customer.subscription.updated",
        subscription_object(member, tier, status="active"),
        created=now - 60,
    )
    assert Subscription.objects.get().status == SubscriptionStatus.CANCELED


def test_plan_change_in_the_portal_moves_the_member_to_the_new_tier(client, tier, member, stripe_keys):
    patron = TierFactory(slug="patron")
    now = int(time.time())
    deliver(client, "customer.subscription.updated", subscription_object(member, tier), created=now - 5)
    deliver(
        client,
        "customer.subscription.updated",
        subscription_object(member, tier, price="price_patron_year"),
        created=now,
    )
    subscription = Subscription.objects.get()
    assert subscription.tier == patron and subscription.interval == "year"


def test_forged_webhook_is_refused_and_changes_nothing(client, tier, member, stripe_keys):
    data = subscription_object(member, tier)
    payload, _ = signed_event("customer.subscription.updated", data, secret=SECRET)
    _, forged_header = signed_event("customer.subscription.updated", data, secret="whsec_somebody_else")
    for header in (forged_header, "", "t=123,v1=deadbeef", "garbage"):
        response = client.post(
            WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        assert response.status_code == 400
    tampered = payload.replace('"active"', '"canceled"')
    _, good_header = signed_event("x", {}, secret=SECRET)
    assert (
        client.post(
            WEBHOOK, tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=good_header
        ).status_code
        == 400
    )
    assert not Subscription.objects.exists() and not PaymentEvent.objects.exists()


def test_replayed_webhook_with_an_old_signature_is_refused(client, tier, member, stripe_keys):
    response = deliver(
        client,
        "customer.subscription.updated",
        subscription_object(member, tier),
        timestamp=int(time.time()) - 600,
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists() and not PaymentEvent.objects.exists()


def test_signed_but_malformed_body_is_a_400(client, stripe_keys):
    import stripe

    payload = "not json at all"
    header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    assert (
        client.post(
            WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        ).status_code
        == 400
    )
    assert not PaymentEvent.objects.exists()


def test_subscriptions_of_strangers_are_recorded_but_attach_to_nobody(client, tier, stripe_keys):
    data = {"id": "sub_x", "status": "active", "metadata": {}, "items": {"data": []}}
    assert deliver(client, "customer.subscription.updated", data).status_code == 200
    assert not Subscription.objects.exists()


def test_member_with_an_active_subscription_cannot_start_a_second(client, tier, member, stripe_keys):
    SubscriptionFactory(member=member, tier=tier)
    assert client.post("/members/checkout/", {"tier": "supporter", "interval": "month"}).status_code == 409


def test_deleting_the_account_cancels_a_renewing_subscription_at_stripe_first(client, tier, member, stripe_keys):
    subscription = SubscriptionFactory(member=member, tier=tier, provider_subscription_id="sub_renews")
    stripe_keys.subscriptions.add("sub_renews")
    response = client.post("/members/account/delete/", {"confirm": "delete"})
    assert response.status_code == 200 and "Your account is deleted" in response.content.decode()
    assert ("/v1/subscriptions/sub_renews", {}, "Bearer sk_test_offline") in stripe_keys.requests
    assert stripe_keys.subscriptions == set()
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert not Member.objects.filter(pk=member.pk).exists()


def test_a_subscription_stripe_no_longer_knows_does_not_block_the_deletion(client, tier, member, stripe_keys):
    SubscriptionFactory(member=member, tier=tier, provider_subscription_id="sub_gone")
    assert client.post("/members/account/delete/", {"confirm": "delete"}).status_code == 200
    assert not Member.objects.filter(pk=member.pk).exists()


def test_when_stripe_is_down_the_account_is_kept_and_the_member_told(client, tier, member, stripe_keys):
    subscription = SubscriptionFactory(member=member, tier=tier, provider_subscription_id="sub_renews")
    stripe_keys.subscriptions.add("sub_renews")
    stripe_keys.down = True
    response = client.post("/members/account/delete/", {"confirm": "delete"})
    assert response.status_code == 502
    assert "could not be cancelled" in response.content.decode() and "your account is kept" in response.content.decode()
    assert Subscription.objects.filter(pk=subscription.pk, status=SubscriptionStatus.ACTIVE).exists()
    assert Member.objects.filter(pk=member.pk).exists()
