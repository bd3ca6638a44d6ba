"""Wagtail's Editors may import subscribers (newsletters.add_subscriberimport, the admin's Import subscribers page).

Also offered in the admin's group editor (wagtail_hooks.py), so that a site can take it away or give it to others.
"""

from django.db import migrations

GROUPS = ["Editors"]


def import_permission(apps):
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="newsletters", model="subscriberimport"
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="add_subscriberimport", defaults={"name": "Can add subscriber import"}
    )
    return permission


def grant(apps, schema_editor):
    permission = import_permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = import_permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0006_provider_events_and_imports"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
