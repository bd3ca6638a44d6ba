"""The older newsletter choices (Member.newsletters, keys from the retired MASTHEAD_NEWSLETTERS setting) carried
into NewsletterSubscription before the field goes (membership 0002). A key names the newsletter with that slug;
one that no newsletter has yet is made, inactive, with the name the setting gave it, so an editor decides
whether and how it is sent. Running it twice changes nothing (one subscription per member and newsletter)."""

from django.db import migrations
from django.utils import timezone

# What MASTHEAD_NEWSLETTERS held when it was retired.
OLD_NAMES = {"weekly": "The weekly briefing", "breaking": "Major stories as they break"}


def carry_choices(apps, schema_editor):
    Member = apps.get_model("membership", "Member")
    Newsletter = apps.get_model("newsletters", "Newsletter")
    NewsletterSubscription = apps.get_model("newsletters", "NewsletterSubscription")
    now = timezone.now()
    newsletters = {}
    for member in Member.objects.exclude(newsletters=[]).iterator():
        for key in member.newsletters or []:
            if not isinstance(key, str) or not key:
                continue
            if key not in newsletters:
                newsletter = Newsletter.objects.filter(slug=key).first()
                if newsletter is None:
                    name = OLD_NAMES.get(key, key.replace("-", " ").capitalize())
                    if Newsletter.objects.filter(name=name).exists():
                        name = f"{name} ({key})"
                    newsletter = Newsletter.objects.create(
                        name=name, slug=key[:100], is_active=False, cadence="manual",
                        description="Carried over from the member page's older newsletter choices.",
                    )
                newsletters[key] = newsletter
            NewsletterSubscription.objects.get_or_create(
                member=member,
                newsletter=newsletters[key],
                defaults={
                    "state": "subscribed",
                    "consent_source": "member_page",
                    "subscribed_at": member.joined_at or now,
                    "state_changed_at": now,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0001_initial"),
        ("newsletters", "0003_editors_digests_issues"),
    ]

    operations = [migrations.RunPython(carry_choices, migrations.RunPython.noop)]
