"""The member's page: name and newsletters, e-mail change by link, subscription state, export, deletion."""

import json
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.accounts.models import User
from masthead.membership.factories import (
    ComplimentaryAccessFactory,
    MemberFactory,
    SubscriptionFactory,
    TierFactory,
)
from masthead.membership.models import Member, SignInLink, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    member = MemberFactory(user__email="page@example.org")
    client.force_login(member.user)
    return member


def test_account_page_needs_sign_in(client):
    response = client.get("/members/account/")
    assert response.status_code == 302 and response["Location"].startswith("/members/sign-in/")


def test_member_sets_their_name(client, member):
    # Newsletters are joined and left in their own section (newsletters.templatetags.member_newsletters).
    response = client.post("/members/account/", {"display_name": " Ana "})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.display_name == "Ana"
    page = client.get("/members/account/").content.decode()
    assert "page@example.org" in page and "Free member." in page


def test_a_name_too_long_is_a_400_and_changes_nothing(client, member):
    response = client.post("/members/account/", {"display_name": "x" * 101})
    assert response.status_code == 400
    member.user.refresh_from_db()
    assert member.user.display_name == ""


def test_email_change_is_confirmed_by_a_link_to_the_new_address(
    client, member, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/account/email/", {"email": "Moved@Example.org"})
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.email == "page@example.org"  # nothing changes until the link is opened
    (message,) = smtp_inbox.to("moved@example.org")
    path = re.search(r"http://127\.0\.0\.1:8000(/members/link/[\w-]+/)", message.get_content()).group(1)
    stranger = type(client)()
    assert stranger.post(path).status_code == 403  # only the member, signed in, can confirm it
    assert client.post(path).status_code == 302
    member.user.refresh_from_db()
    assert member.user.email == "moved@example.org"
    assert client.post(path).status_code == 400  # used


def test_email_change_to_a_taken_address_sends_nothing_and_says_the_same(
    client, member, smtp_inbox, django_capture_on_commit_callbacks
):
    MemberFactory(user__email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/account/email/", {"email": "taken@example.org"})
    assert response.status_code == 302 and response["Location"].endswith("?saved=email")
    assert len(smtp_inbox) == 0 and not SignInLink.objects.exists()


def test_email_change_rejects_bad_input(client, member):
    assert client.post("/members/account/email/", {"email": "nope"}).status_code == 400
    assert not SignInLink.objects.exists()


def test_tier_and_subscription_state_are_shown(client, member):
    SubscriptionFactory(member=member, tier=TierFactory(name="Supporter"))
    ComplimentaryAccessFactory(member=member, tier=TierFactory(name="Patron"))
    page = client.get("/members/account/").content.decode()
    assert "Supporter, monthly: Active, renews on" in page
    assert "Patron, complimentary, until" in page


def test_download_my_data(client, member):
    SubscriptionFactory(member=member, tier=TierFactory(name="Supporter"))
    response = client.get("/members/account/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["profile"]["email"] == "page@example.org"
    assert "newsletters" not in data  # the retired field; subscriptions are in "newsletter_subscriptions"
    assert data["subscriptions"][0]["tier"] == "Supporter"


def test_delete_account_needs_confirmation(client, member):
    assert client.post("/members/account/delete/").status_code == 400
    assert Member.objects.filter(pk=member.pk).exists()


def test_delete_account_with_a_renewing_subscription_and_payments_off_asks_to_cancel_first(client, member):
    SubscriptionFactory(member=member)  # no Stripe keys: nothing can cancel it from here
    response = client.post("/members/account/delete/", {"confirm": "delete"})
    assert response.status_code == 409 and "cannot be cancelled from here" in response.content.decode()
    assert User.objects.filter(pk=member.user_id).exists()


def test_delete_account_removes_personal_data_and_signs_out(client, member):
    SubscriptionFactory(member=member, cancel_at_period_end=True)
    response = client.post("/members/account/delete/", {"confirm": "delete"})
    assert response.status_code == 200 and "Your account is deleted" in response.content.decode()
    assert not User.objects.filter(email="page@example.org").exists()
    assert not Member.objects.exists() and not Subscription.objects.exists()
    assert SESSION_KEY not in client.session


def test_account_page_query_count_is_flat(client, member):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/members/account/").status_code == 200
        return len(queries)

    SubscriptionFactory(member=member)
    count()  # the first request fills per-process caches (site root paths, settings)
    few = count()
    for _ in range(4):
        SubscriptionFactory(member=member, status="canceled")
        ComplimentaryAccessFactory(member=member)
    assert count() == few
