"""access.py: the one decision, under every gate mode and access level."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel
from masthead.membership.access import (
    ANONYMOUS,
    GatePolicy,
    Reader,
    Visibility,
    access_article,
    is_free_to_everyone,
    reader_for_user,
    readers_for_users,
)
from masthead.membership.factories import (
    ComplimentaryAccessFactory,
    MemberFactory,
    SubscriptionFactory,
    TierFactory,
)
from masthead.membership.models import SubscriptionStatus

PAYWALL = GatePolicy(mode="paywall")
FREE_MEMBER = Reader(user_id=1)
TIER_ONE = Reader(user_id=2, tier_ids=frozenset({1}))
TIER_TWO = Reader(user_id=3, tier_ids=frozenset({2}))
STAFF = Reader(user_id=4, is_staff=True)


def article(level=AccessLevel.PUBLIC, tiers=(), live=True, age_days=1, pk=7):
    return SimpleNamespace(
        pk=pk,
        live=live,
        access_level=level,
        allowed_tier_ids=frozenset(tiers),
        first_published_at=timezone.now() - timedelta(days=age_days),
    )


@pytest.mark.parametrize(
    "level, tiers, expected",
    [
        (AccessLevel.PUBLIC, (), {"anon": "all", "free": "all", "one": "all", "two": "all", "staff": "all"}),
        (
            AccessLevel.MEMBERS,
            (),
            {"anon": "preview", "free": "all", "one": "all", "two": "all", "staff": "all"},
        ),
        (
            AccessLevel.PAID,
            (),
            {"anon": "preview", "free": "preview", "one": "all", "two": "all", "staff": "all"},
        ),
        (
            AccessLevel.TIERS,
            (1,),
            {"anon": "preview", "free": "preview", "one": "all", "two": "preview", "staff": "all"},
        ),
        (
            AccessLevel.TIERS,
            (),
            {"anon": "preview", "free": "preview", "one": "preview", "two": "preview", "staff": "all"},
        ),
        (
            "bogus",
            (),
            {"anon": "preview", "free": "preview", "one": "preview", "two": "preview", "staff": "all"},
        ),
    ],
)
def test_paywall_enforces_access_levels(level, tiers, expected):
    readers = {"anon": ANONYMOUS, "free": FREE_MEMBER, "one": TIER_ONE, "two": TIER_TWO, "staff": STAFF}
    got = {
        name: access_article(reader, article(level, tiers), policy=PAYWALL)
        for name, reader in readers.items()
    }
    assert got == expected


def test_an_unpublished_article_shows_nothing_except_to_staff():
    draft = article(AccessLevel.PUBLIC, live=False)
    assert access_article(ANONYMOUS, draft, policy=PAYWALL) == Visibility.NOTHING
    assert access_article(TIER_ONE, draft, policy=PAYWALL) == Visibility.NOTHING
    assert access_article(STAFF, draft, policy=PAYWALL) == Visibility.ALL


@pytest.mark.parametrize("mode", ["off", "soft_prompt"])
def test_off_and_soft_prompt_hide_nothing(mode):
    for reader in (ANONYMOUS, FREE_MEMBER):
        assert (
            access_article(reader, article(AccessLevel.PAID), policy=GatePolicy(mode=mode)) == Visibility.ALL
        )


def test_registration_wall_closes_the_old_archive_to_anonymous_readers():
    policy = GatePolicy(mode="registration_wall", registration_wall_days=30)
    assert access_article(ANONYMOUS, article(age_days=29), policy=policy) == Visibility.ALL
    assert access_article(ANONYMOUS, article(age_days=31), policy=policy) == Visibility.PREVIEW
    assert access_article(FREE_MEMBER, article(age_days=400), policy=policy) == Visibility.ALL


class CountingMeter:
    def __init__(self, read):
        self.read = set(read)

    def allows(self, article_id, free_articles):
        return article_id in self.read or len(self.read) < free_articles


def test_metered_gate_counts_free_articles_and_machines_get_none():
    policy = GatePolicy(mode="metered", metered_free_articles=2)
    assert access_article(ANONYMOUS, article(pk=3), policy=policy, meter=CountingMeter({1})) == Visibility.ALL
    assert (
        access_article(ANONYMOUS, article(pk=3), policy=policy, meter=CountingMeter({1, 2}))
        == Visibility.PREVIEW
    )
    assert (
        access_article(ANONYMOUS, article(pk=2), policy=policy, meter=CountingMeter({1, 2})) == Visibility.ALL
    )
    assert access_article(ANONYMOUS, article(pk=3), policy=policy, meter=None) == Visibility.PREVIEW
    assert access_article(FREE_MEMBER, article(pk=3), policy=policy, meter=None) == Visibility.ALL


def test_free_to_everyone_is_what_json_ld_reports():
    assert is_free_to_everyone(article(AccessLevel.PUBLIC), PAYWALL)
    assert not is_free_to_everyone(article(AccessLevel.MEMBERS), PAYWALL)
    assert is_free_to_everyone(article(AccessLevel.MEMBERS), GatePolicy(mode="off"))


def test_access_class_separates_every_kind_of_reader():
    classes = {reader.access_class for reader in (ANONYMOUS, FREE_MEMBER, TIER_ONE, TIER_TWO, STAFF)}
    assert len(classes) == 5
    assert Reader(user_id=9, tier_ids=frozenset({2, 1})).access_class == "tiers-1-2"


@pytest.mark.django_db
def test_reader_for_user_reads_subscriptions_and_complimentary_access():
    tier_a, tier_b, tier_c = TierFactory(), TierFactory(), TierFactory()
    member = MemberFactory()
    SubscriptionFactory(member=member, tier=tier_a)
    SubscriptionFactory(member=member, tier=tier_b, status=SubscriptionStatus.CANCELED)
    ComplimentaryAccessFactory(member=member, tier=tier_c)
    ComplimentaryAccessFactory(member=member, tier=tier_b, until=timezone.localdate() - timedelta(days=1))
    reader = reader_for_user(member.user)
    assert reader.tier_ids == {tier_a.pk, tier_c.pk}
    assert reader.is_member and reader.is_paid and not reader.is_staff
    assert reader_for_user(MemberFactory().user).tier_ids == frozenset()
    assert reader_for_user(StaffFactory()).is_staff
    inactive = UserFactory(is_active=False)
    assert reader_for_user(inactive) == ANONYMOUS


@pytest.mark.django_db
def test_readers_for_many_users_match_reader_for_user_in_three_queries(django_assert_num_queries):
    tier_a, tier_b, tier_c = TierFactory(), TierFactory(), TierFactory()
    paying = MemberFactory().user
    SubscriptionFactory(member=paying.member, tier=tier_a)
    SubscriptionFactory(member=paying.member, tier=tier_b, status=SubscriptionStatus.CANCELED)
    given = MemberFactory().user
    ComplimentaryAccessFactory(member=given.member, tier=tier_c)
    ComplimentaryAccessFactory(member=given.member, tier=tier_b, until=timezone.localdate() - timedelta(days=1))
    # An editor without is_staff: Wagtail's Editors group gives admin access, and the gate treats them as staff.
    editors = Group.objects.create(name="Newsroom editors")
    editors.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    editor = MemberFactory().user
    editor.groups.add(editors)
    users = [paying, given, editor, MemberFactory().user, StaffFactory()]
    users = [type(user).objects.get(pk=user.pk) for user in users]  # fresh: no permission cache on them
    with django_assert_num_queries(3):
        readers = readers_for_users(users + [UserFactory.build(is_active=False)])
    assert readers == {user.pk: reader_for_user(user) for user in users}
    assert readers[editor.pk].is_staff and readers[paying.pk].tier_ids == {tier_a.pk}
    assert readers_for_users([]) == {}


@pytest.mark.django_db
def test_real_article_fields_feed_the_decision(section):
    tier = TierFactory()
    piece = make_article(section=section, body=[paragraph("One."), paragraph("Two.")], publish=False)
    piece.access_level = AccessLevel.TIERS
    piece.allowed_tiers = [tier]
    piece.save_revision().publish()
    piece.refresh_from_db()
    assert piece.allowed_tier_ids == {tier.pk}
    assert (
        access_article(Reader(user_id=1, tier_ids=frozenset({tier.pk})), piece, policy=PAYWALL)
        == Visibility.ALL
    )
    assert access_article(FREE_MEMBER, piece, policy=PAYWALL) == Visibility.PREVIEW
