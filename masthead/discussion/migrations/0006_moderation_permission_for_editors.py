"""Wagtail's Editors and Moderators groups may moderate comments (discussion.change_comment, permissions.py).

Without it only superusers could: the Comments menu, its counts and the moderators' e-mails reached nobody else.
The permission is also offered in the admin's group editor (wagtail_hooks.py), so a site can take it away.
"""

from django.db import migrations

GROUPS = ["Editors", "Moderators"]


def moderation_permission(apps):
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="discussion", model="comment"
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="change_comment", defaults={"name": "Can change comment"}
    )
    return permission


def grant(apps, schema_editor):
    permission = moderation_permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = moderation_permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0005_moderator_notices"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
