"""Editors manage tiers, complimentary access and the gate's mode in the Wagtail admin."""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from masthead.accounts.factories import StaffFactory
from masthead.membership.access import reader_for_user
from masthead.membership.factories import MemberFactory, TierFactory
from masthead.membership.models import ComplimentaryAccess, GateSettings, Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(StaffFactory())
    return client


def test_editor_adds_a_tier(editor_client):
    response = editor_client.post(
        reverse("wagtailsnippets_membership_tier:add"),
        {
            "name": "Supporter",
            "slug": "supporter",
            "description": "Reads everything.",
            "benefits": "Archive\nNewsletter",
            "currency": "EUR",
            "monthly_price": "6.00",
            "yearly_price": "60.00",
            "stripe_monthly_price_id": "",
            "stripe_yearly_price_id": "",
            "is_active": "on",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302
    assert Tier.objects.get().benefit_list == ["Archive", "Newsletter"]


def test_a_bad_currency_is_refused(editor_client):
    response = editor_client.post(
        reverse("wagtailsnippets_membership_tier:add"),
        {
            "name": "X",
            "slug": "x",
            "currency": "euros",
            "monthly_price": "1",
            "yearly_price": "1",
            "sort_order": "0",
        },
    )
    assert response.status_code == 200 and not Tier.objects.exists()


def test_editor_gives_complimentary_access_until_a_date(editor_client):
    tier, member = TierFactory(), MemberFactory()
    until = timezone.localdate() + timezone.timedelta(days=14)
    response = editor_client.post(
        reverse("wagtailsnippets_membership_complimentaryaccess:add"),
        {"member": member.pk, "tier": tier.pk, "until": until.isoformat(), "note": "Press pass"},
    )
    assert response.status_code == 302
    assert ComplimentaryAccess.objects.get().until == until
    assert reader_for_user(member.user).tier_ids == {tier.pk}


def test_editor_sets_the_gate_mode(editor_client):
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["membership", "gatesettings", site.pk])
    page = editor_client.get(url).content.decode()
    assert "Registration wall: the archive older than N days needs a free membership" in page
    response = editor_client.post(
        url, {"mode": "metered", "registration_wall_days": "30", "metered_free_articles": "5"}
    )
    assert response.status_code == 302
    gate = GateSettings.for_site(site)
    assert gate.mode == "metered" and gate.metered_free_articles == 5
