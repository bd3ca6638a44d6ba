"""Member.newsletters (keys of the retired MASTHEAD_NEWSLETTERS) carried into subscriptions by newsletters 0003,
before membership 0002 drops the field."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("membership", "0001_initial"), ("newsletters", "0003_editors_digests_issues")]
AFTER = [("membership", "0002_remove_member_newsletters"), ("newsletters", "0004_carry_member_newsletter_choices")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_choices_become_subscriptions_and_the_field_goes():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Member = old.get_model("membership", "Member")
    Newsletter = old.get_model("newsletters", "Newsletter")
    weekly = Newsletter.objects.create(name="The weekly briefing, as it is now", slug="weekly", is_active=True)
    now = timezone.now()
    ana = Member.objects.create(user=User.objects.create(username="ana", email="ana@example.org"),
                                newsletters=["weekly", "breaking"], joined_at=now)
    Member.objects.create(user=User.objects.create(username="ben", email="ben@example.org"), newsletters=[],
                          joined_at=now)
    try:
        new = migrate(AFTER)
        Subscription = new.get_model("newsletters", "NewsletterSubscription")
        rows = {(row.member_id, row.newsletter.slug, row.state, row.consent_source)
                for row in Subscription.objects.select_related("newsletter")}
        assert rows == {
            (ana.pk, "weekly", "subscribed", "member_page"),
            (ana.pk, "breaking", "subscribed", "member_page"),
        }
        breaking = new.get_model("newsletters", "Newsletter").objects.get(slug="breaking")
        # Made for the key that had no newsletter: inactive until an editor decides, named as the setting did.
        assert breaking.name == "Major stories as they break" and not breaking.is_active
        assert new.get_model("newsletters", "Newsletter").objects.get(pk=weekly.pk).is_active
        field_names = {field.name for field in new.get_model("membership", "Member")._meta.get_fields()}
        assert "newsletters" not in field_names
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
