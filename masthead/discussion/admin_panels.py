"""What needs a moderator, where they look first: the counts beside the admin's Comments menu, and a dashboard panel.

Both are shown only to those who may moderate (permissions.can_moderate), and both count with one query.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from masthead.discussion.models import Comment, CommentStatus, Flag
from masthead.discussion.permissions import can_moderate

# How many held and how many reported comments the dashboard lists.
DASHBOARD_ROWS = 5


@dataclass(frozen=True)
class ModerationCounts:
    held: int
    reported: int

    @property
    def summary(self) -> str:
        """As the menu and the dashboard say it: "2 held, 1 reported", or "" when nothing waits."""
        parts = [f"{self.held} held"] if self.held else []
        if self.reported:
            parts.append(f"{self.reported} reported")
        return ", ".join(parts)


def moderation_counts() -> ModerationCounts:
    """Comments waiting for approval, and comments with open reports (the queues' own definitions), counted in one
    statement: every admin page shows them. Two scalar subqueries in plain SQL, because the ORM has no way to put
    two unrelated counts in one SELECT; the pending count reads the (status, created_at) index and the reported
    count the partial index on open reports (`flag_open`)."""
    comments = connection.ops.quote_name(Comment._meta.db_table)
    flags = connection.ops.quote_name(Flag._meta.db_table)
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {comments} WHERE status = %s),"
        f" (SELECT COUNT(DISTINCT f.comment_id) FROM {flags} f INNER JOIN {comments} c ON c.id = f.comment_id"
        f" WHERE f.resolved = %s AND c.status <> %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [CommentStatus.PENDING.value, False, CommentStatus.SPAM.value])
        held, reported = cursor.fetchone()
    return ModerationCounts(held=held, reported=reported)


class CommentsMenuItem(MenuItem):
    """The Comments menu item, labelled with what waits ("Comments (2 held, 1 reported)"), for moderators only.

    Wagtail keeps one instance for every request, so the count goes on the component rendered for this request,
    never on the item itself."""

    def is_shown(self, request):
        return can_moderate(request.user)

    def render_component(self, request):
        component = super().render_component(request)
        summary = moderation_counts().summary
        if summary:
            component.label = f"{self.label} ({summary})"
        return component


class ModerationPanel(Component):
    """The dashboard's panel: the counts, the latest held and reported comments, and a way to act on each."""

    name = "discussion_moderation"
    template_name = "discussion/admin/dashboard_panel.html"
    order = 50  # above Wagtail's own panels: readers are waiting

    def get_context_data(self, parent_context):
        counts = moderation_counts()
        held = reported = []
        if counts.held:
            held = list(
                Comment.objects.needing_moderation("pending")
                .select_related("author", "thread__page")
                .order_by("-created_at", "-pk")[:DASHBOARD_ROWS]
            )
        if counts.reported:
            reported = list(
                Comment.objects.needing_moderation("reported")
                .select_related("author", "thread__page")
                .prefetch_related(
                    Prefetch("flags", queryset=Flag.objects.filter(resolved=False), to_attr="open_flags")
                )
                .order_by("-created_at", "-pk")[:DASHBOARD_ROWS]
            )
        return {
            "counts": counts,
            "held": held,
            "reported": reported,
            "csrf_token": parent_context.get("csrf_token"),
            "request": parent_context.get("request"),
        }
