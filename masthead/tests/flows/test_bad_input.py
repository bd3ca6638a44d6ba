"""Bad input from outside is a clear 400 or 404, never a 500: ids beyond 64 bits, huge years, odd search text,
hostile JSON and signed webhooks with impossible times (issue 12 item 13). The walks over every URL pattern and
API operation are in test_bad_input_walk.py and test_api_schemas.py."""

import json
import time

import pytest
import stripe

from masthead.accounts.factories import StaffFactory
from masthead.articles.factories import make_article, paragraph
from masthead.membership.factories import MemberFactory, TierFactory, signed_event
from masthead.membership.models import PaymentEvent, Subscription

pytestmark = pytest.mark.django_db
BEYOND_64_BITS = str(2**64 + 1)
SECRET = "whsec_test_secret_for_offline_signing"
WEBHOOK = "/members/payments/stripe/webhook/"


@pytest.fixture
def article(section):
    return make_article(section=section, title="The dry reservoir", body=[paragraph("The reservoir fell.")])


@pytest.mark.parametrize(
    "address",
    [
        f"/api/articles/{BEYOND_64_BITS}/",
        f"/api/articles/?offset={BEYOND_64_BITS}",
        f"/articles/{BEYOND_64_BITS}/",
        f"/articles/{BEYOND_64_BITS}/annotations.jsonld",
        f"/articles/{BEYOND_64_BITS}/inline-feedback/",
        f"/annotations/api/articles/{BEYOND_64_BITS}/passages",
        f"/discussion/{BEYOND_64_BITS}/",
        f"/discussion/api/threads/{BEYOND_64_BITS}",
        f"/archive/{BEYOND_64_BITS}/",
        f"/archive/{BEYOND_64_BITS}/1/",
        "/archive/0/",
        "/archive/10000/",
    ],
)
def test_ids_and_years_beyond_what_is_stored_are_refused(client, article, address):
    response = client.get(address)
    assert response.status_code in (400, 404), address
    assert response.content.strip()  # a page or a message that says what is wrong, not an empty answer


@pytest.mark.parametrize(
    "address",
    [
        f"/api/articles/{BEYOND_64_BITS}/",
        "/api/articles/-1/",
        f"/annotations/api/articles/{BEYOND_64_BITS}/passages",
        f"/discussion/api/comments/{BEYOND_64_BITS}/vote",
    ],
)
def test_the_json_apis_answer_an_id_that_cannot_exist_as_not_found(client, article, address):
    if "vote" in address:
        response = client.post(address, {"value": 1}, content_type="application/json")
    else:
        response = client.get(address)
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_the_json_api_names_the_offset_it_refuses(client, article):
    response = client.get(f"/api/articles/?offset={BEYOND_64_BITS}")
    assert response.status_code == 400 and "offset" in json.dumps(response.json())


def test_the_largest_offset_the_database_holds_is_an_empty_page(client, article):
    response = client.get(f"/api/articles/?offset={2**63 - 1}")
    assert response.status_code == 200 and response.json() == []


def test_the_ids_that_fit_still_lead_to_the_article(client, article):
    assert client.get(f"/api/articles/{article.pk}/").json()["id"] == article.pk
    assert client.get(f"/articles/{article.pk}/").status_code == 302
    assert client.get(f"/discussion/{article.pk}/").status_code == 200
    assert client.get(f"/archive/{article.first_published_at.year}/").status_code == 200


@pytest.mark.parametrize("query", ['"a" "', '"', '""""', '"unterminated', "a\x00b", "AND OR NOT (", "*"])
def test_search_with_stray_quotes_and_operators_is_a_search_page(client, article, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert b"search" in response.content.lower()


def test_a_deeply_nested_body_to_the_discussion_api_is_a_400(client, article):
    response = client.post(
        f"/discussion/api/threads/{article.pk}/comments",
        "[" * 50_000 + "]" * 50_000,
        content_type="application/json",
    )
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]


@pytest.fixture
def webhook_secret(settings):
    settings.MASTHEAD_STRIPE_SECRET_KEY = "sk_test_offline"
    settings.MASTHEAD_STRIPE_WEBHOOK_SECRET = SECRET
    settings.MASTHEAD_STRIPE_API_BASE = "http://127.0.0.1:9"  # never called: webhooks only read
    return SECRET


def post_webhook(client, payload: str, header: str):
    return client.post(WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


@pytest.mark.parametrize("created", [10**20, -(10**20), 253402300800, 1e308])
def test_a_signed_event_created_at_an_impossible_time_is_a_400(client, webhook_secret, created):
    payload, header = signed_event("customer.subscription.updated", {"id": "sub_x"}, secret=SECRET)
    event = json.loads(payload)
    event["created"] = created
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    response = post_webhook(client, payload, header)
    assert response.status_code == 400 and b"Refused" in response.content
    assert not PaymentEvent.objects.exists()


def test_a_signed_subscription_ending_at_an_impossible_time_is_a_400_and_keeps_nothing(client, webhook_secret):
    member, tier = MemberFactory(), TierFactory(slug="supporter")
    subscription = {
        "id": "sub_far",
        "object": "subscription",
        "customer": "cus_far",
        "status": "active",
        "metadata": {"member": str(member.pk), "tier": tier.slug, "interval": "month"},
        "items": {"data": [{"price": {"id": tier.stripe_monthly_price_id}, "current_period_end": 10**20}]},
    }
    payload, header = signed_event("customer.subscription.updated", subscription, secret=SECRET)
    response = post_webhook(client, payload, header)
    assert response.status_code == 400 and b"not a time" in response.content
    assert not PaymentEvent.objects.exists() and not Subscription.objects.exists()


def test_a_signature_dated_far_in_the_future_is_a_400(client, webhook_secret):
    payload, header = signed_event(
        "customer.subscription.updated", {"id": "sub_x"}, secret=SECRET, timestamp=10**20
    )
    response = post_webhook(client, payload, header)
    assert response.status_code == 400 and b"future" in response.content
    assert not PaymentEvent.objects.exists()


def test_a_signed_event_nested_50000_deep_is_a_400(client, webhook_secret):
    deep = "[" * 50_000 + "]" * 50_000
    payload = (
        f'{{"id": "evt_deep", "object": "event", "type": "customer.subscription.updated", '
        f'"created": {int(time.time())}, "data": {{"object": {{"id": "sub_x", "items": {deep}}}}}}}'
    )
    header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    response = post_webhook(client, payload, header)
    assert response.status_code == 400 and b"nested too deeply" in response.content
    assert not PaymentEvent.objects.exists()


@pytest.mark.parametrize(
    "method, address",
    [
        ("get", f"/admin/inline-feedback/article/{BEYOND_64_BITS}/orphaned/"),
        ("get", f"/admin/discussion/comment/{BEYOND_64_BITS}/edit/"),
        ("post", f"/admin/discussion/thread/{BEYOND_64_BITS}/close/"),
        ("post", f"/admin/discussion/bans/{BEYOND_64_BITS}/lift/"),
        ("get", f"/admin/pages/{BEYOND_64_BITS}/edit/"),
        ("get", f"/admin/pages/{BEYOND_64_BITS}/"),
    ],
)
def test_an_editor_asking_the_admin_for_an_id_beyond_64_bits_gets_a_404(client, article, method, address):
    client.force_login(StaffFactory())
    assert getattr(client, method)(address).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("address", ["/discussion/unsubscribe/a%00b/", "/discussion/confirm/a%00b/"])
def test_a_nul_byte_in_an_e_mailed_token_is_a_404(client, method, address):
    # PostgreSQL refuses NUL in a query's text (DataError); the address does not match a token at all.
    assert getattr(client, method)(address).status_code == 404
