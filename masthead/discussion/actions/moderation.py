"""The editors' side: the moderation queue's actions, readers' reports that feed it, a moderator's edit."""

from django.db import transaction
from django.utils.translation import gettext as _

from masthead.discussion.actions.bans import clean_ban_terms, do_ban
from masthead.discussion.actions.comments import approved_comment, clean_body, do_edit_comment
from masthead.discussion.actions.privacy import hash_ip
from masthead.discussion.actions.subscriptions import announce_comment
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import (
    Comment,
    CommentStatus,
    Flag,
    FlagReason,
    ModerationAction,
    ModerationEvent,
    Thread,
)
from masthead.discussion.permissions import can_moderate

MODERATION_STATUS = {
    ModerationAction.APPROVE: CommentStatus.APPROVED,
    ModerationAction.REJECT: CommentStatus.REJECTED,
    ModerationAction.SPAM: CommentStatus.SPAM,
    # A reported comment taken down at once: rejected, its reports settled, the audit log saying why.
    ModerationAction.HIDE: CommentStatus.REJECTED,
}
QUEUE_ACTIONS = {
    *MODERATION_STATUS,
    ModerationAction.PIN,
    ModerationAction.UNPIN,
    ModerationAction.DISMISS_REPORTS,
    ModerationAction.BAN,
}


def check_moderate(*, comment_ids, action: str, editor, reason: str = "", expires_at=None) -> list[Comment]:
    """Act on the selected comments; banning their authors needs a reason (and may have an expiry)."""
    if not can_moderate(editor):
        raise DiscussionError("You may not moderate comments.", status=403)
    if action not in QUEUE_ACTIONS:
        raise DiscussionError("Choose a moderation action.")
    comments = selected_comments(comment_ids)
    if action == ModerationAction.BAN:
        reason = clean_ban_terms(reason=reason, expires_at=expires_at)
    return do_moderate(comments=comments, action=action, editor=editor, reason=reason, expires_at=expires_at)


def selected_comments(comment_ids) -> list[Comment]:
    """The comments an editor ticked, by id; a clear error when there are none (or the ids are not numbers)."""
    try:
        ids = sorted({int(pk) for pk in comment_ids})
    except (TypeError, ValueError):
        raise DiscussionError("Select the comments to act on.") from None
    comments = list(Comment.objects.filter(pk__in=ids).select_related("author", "thread__page"))
    if not comments:
        raise DiscussionError("Select the comments to act on.")
    return comments


def do_moderate(*, comments: list[Comment], action: str, editor, reason: str = "", expires_at=None) -> list[Comment]:
    with transaction.atomic():
        for comment in comments:
            was_counted = comment.is_counted
            detail = ""
            if action in MODERATION_STATUS:
                comment.status = MODERATION_STATUS[action]
                comment.save(update_fields=["status"])
                comment.flags.filter(resolved=False).update(resolved=True)
                if action == ModerationAction.APPROVE and not was_counted and comment.is_counted:
                    announce_comment(comment)
            elif action in (ModerationAction.PIN, ModerationAction.UNPIN):
                comment.is_pinned = action == ModerationAction.PIN
                comment.save(update_fields=["is_pinned"])
            elif action == ModerationAction.DISMISS_REPORTS:
                comment.flags.filter(resolved=False).update(resolved=True)
            elif action == ModerationAction.BAN:
                detail = do_ban(comment=comment, editor=editor, reason=reason, expires_at=expires_at)
            ModerationEvent.objects.create(comment=comment, actor=editor, action=action, detail=detail)
            Thread.objects.filter(pk=comment.thread_id).record_change(comment.is_counted - was_counted)
    return comments


def check_report_comment(*, comment_id, user, reason, note: str = "", ip: str = "") -> Flag:
    comment = approved_comment(comment_id, message=_("There is no such comment to report."))
    if reason not in FlagReason.values:
        raise DiscussionError(_("Choose a reason for the report from the list."))
    note = (note or "").strip()
    if len(note) > 500:
        raise DiscussionError(_("Keep the note under 500 characters."))
    member = user if user is not None and user.is_authenticated else None
    if member is not None and Flag.objects.filter(comment=comment, reporter=member).exists():
        raise DiscussionError(_("You have already reported this comment; an editor will look at it."))
    return do_report_comment(comment=comment, reporter=member, reason=reason, note=note, ip_hash=hash_ip(ip))


def do_report_comment(*, comment: Comment, reporter, reason: str, note: str, ip_hash: str) -> Flag:
    return Flag.objects.create(comment=comment, reporter=reporter, reason=reason, note=note, reporter_ip_hash=ip_hash)


def check_moderator_edit(*, comment_id, editor, body) -> Comment:
    if not can_moderate(editor):
        raise DiscussionError("You may not moderate comments.", status=403)
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        raise DiscussionError("There is no such comment.", status=404)
    return do_edit_comment(comment=comment, body=clean_body(body), hold_reasons=[], editor=editor)
