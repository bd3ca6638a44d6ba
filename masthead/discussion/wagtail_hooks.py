"""The discussion in the Wagtail admin: a Comments menu with the moderation queue, the bans and the audit log, the
counts of what waits (in the menu and on the dashboard), and the moderation permission in the group editor."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks

from masthead.discussion import admin_views
from masthead.discussion.admin_panels import CommentsMenuItem, ModerationPanel
from masthead.discussion.permissions import MODERATE_PERMISSION, can_moderate

admin_urlpatterns = (
    [
        path("queue/", admin_views.queue, name="queue"),
        path("queue/ban/", admin_views.ban_authors, name="ban_authors"),
        path("comment/<id:comment_id>/edit/", admin_views.edit, name="edit"),
        path("thread/<id:thread_id>/close/", admin_views.close_thread, name="close_thread"),
        path("log/", admin_views.audit_log, name="audit_log"),
        path("bans/", admin_views.bans, name="bans"),
        path("bans/<id:ban_id>/lift/", admin_views.lift_ban, name="lift_ban"),
    ],
    "discussion_admin",
)


@hooks.register("register_admin_urls")
def register_discussion_admin_urls():
    return [path("discussion/", include(admin_urlpatterns))]


@hooks.register("register_admin_menu_item")
def register_comments_menu_item():
    return CommentsMenuItem(
        "Comments", reverse("discussion_admin:queue"), name="comments", icon_name="comment", order=250
    )


@hooks.register("construct_homepage_panels")
def add_moderation_panel(request, panels):
    if can_moderate(request.user):
        panels.append(ModerationPanel())


@hooks.register("register_permissions")
def register_moderation_permission():
    """Offered in Settings → Groups, so that a site decides which of its groups may moderate."""
    app_label, codename = MODERATE_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
