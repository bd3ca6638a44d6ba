import django.db.models
from django.db import migrations

import masthead.delivery.models


def create_the_row(apps, schema_editor):
    apps.get_model("delivery", "CacheStamps").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="CacheStamps",
            fields=[
                ("id", django.db.models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                     verbose_name="ID")),
                ("content", django.db.models.CharField(default=masthead.delivery.models.new_stamp, max_length=32)),
                ("membership", django.db.models.CharField(default=masthead.delivery.models.new_stamp,
                                                          max_length=32)),
            ],
            options={"verbose_name": "cache stamps", "verbose_name_plural": "cache stamps"},
        ),
        migrations.RunPython(create_the_row, migrations.RunPython.noop),
    ]
