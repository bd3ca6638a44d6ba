"""Member.newsletters retired: its choices were carried into the newsletters app's subscriptions first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0001_initial"),
        ("newsletters", "0004_carry_member_newsletter_choices"),
    ]

    operations = [migrations.RemoveField(model_name="member", name="newsletters")]
