"""Comments: posting one (checked by the rules, stored, counted, announced), editing and deleting."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from masthead.discussion.actions.privacy import hash_ip
from masthead.discussion.actions.subscriptions import announce_comment, subscribe_author
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.errors import DiscussionError
from masthead.discussion.markup import MalformedMarkdown, check_markdown, render_comment
from masthead.discussion.models import (
    Comment,
    CommentStatus,
    DiscussionSettings,
    ModerationAction,
    ModerationEvent,
    Thread,
    WhoMayComment,
)
from masthead.discussion.rules import CONTENT_RULES, Outcome, Submission, evaluate


def clean_body(body) -> str:
    if not isinstance(body, str):
        raise DiscussionError(_("The comment text is missing."))
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise DiscussionError(_("Write something before posting: the comment is empty."))
    limit = settings.MASTHEAD_DISCUSSION_MAX_LENGTH
    if len(body) > limit:
        raise DiscussionError(_("Comments are limited to %(limit)s characters; this one has %(length)s.") % {"limit": number_format(limit, force_grouping=True), "length": number_format(len(body), force_grouping=True)})
    try:
        check_markdown(body)
    except MalformedMarkdown as error:
        raise DiscussionError(str(error)) from error
    return body


def approved_comment(comment_id, *, message: str) -> Comment:
    """The approved comment a reader acts on (votes, reports), with its thread; `message` when none."""
    try:
        comment_id = int(comment_id)
    except (TypeError, ValueError):
        raise DiscussionError(message) from None
    comment = Comment.objects.select_related("thread").filter(pk=comment_id).first()
    if comment is None or comment.status != CommentStatus.APPROVED:
        raise DiscussionError(message, status=404)
    return comment


# Posting


def _check_parent(parent: Comment | None, thread: Thread) -> Comment:
    """The comment replied to, as the rules' query read it: what places the reply (thread, root, depth)."""
    if parent is None or parent.status != CommentStatus.APPROVED:
        raise DiscussionError(_("The comment you are replying to does not exist."))
    if parent.thread_id != thread.pk:  # one thread per article
        raise DiscussionError(_("The comment you are replying to belongs to another article."))
    if parent.is_deleted:
        raise DiscussionError(_("The comment you are replying to has been deleted."))
    return parent


def check_post_comment(
    *,
    page,
    user,
    body,
    parent_id=None,
    guest_name: str = "",
    guest_email: str = "",
    ip: str = "",
    honeypot: str = "",
    subscribe: bool = False,
    policy: DiscussionSettings | None = None,
) -> Comment:
    """`policy`: the request's (DiscussionSettings.current(request)), when there is one."""
    policy = policy or DiscussionSettings.current()
    thread = thread_for(page)
    if not thread.is_open(policy):
        raise DiscussionError(_("Comments on this article are closed."), status=403)
    member = user if user is not None and user.is_authenticated else None
    if member is None:
        if policy.who_may_comment != WhoMayComment.EVERYONE:
            raise DiscussionError(_("Sign in to comment."), status=403)
        guest_name = (guest_name or "").strip()
        guest_email = (guest_email or "").strip()
        if not guest_name or len(guest_name) > 80:
            raise DiscussionError(_("Give your name (up to 80 characters) to comment as a guest."))
        try:
            validate_email(guest_email)
        except ValidationError:
            raise DiscussionError(_("Give a valid e-mail address to comment as a guest.")) from None
    body = clean_body(body)

    parent_pk = None
    if parent_id not in (None, ""):
        try:
            parent_pk = int(parent_id)
        except (TypeError, ValueError):
            raise DiscussionError(_("The comment you are replying to does not exist.")) from None
        if not 0 < parent_pk < 2**63:  # no such id, and more than the databases' integers hold
            raise DiscussionError(_("The comment you are replying to does not exist."))

    ip_hash = hash_ip(ip)
    submission = Submission(
        thread=thread,
        policy=policy,
        body=body,
        author=member,
        guest_email=guest_email if member is None else "",
        ip_hash=ip_hash,
        honeypot=honeypot or "",
        parent_id=parent_pk,
    )
    # The parent comes with the rules' query, and is checked before them.
    parent = _check_parent(submission.facts["parent"], thread) if parent_pk is not None else None
    verdicts = evaluate(submission)
    refusal = next((verdict for verdict in verdicts if verdict.outcome == Outcome.REJECT), None)
    if refusal:
        raise DiscussionError(refusal.reason, status=refusal.status)
    if any(verdict.outcome == Outcome.SPAM for verdict in verdicts):
        status = CommentStatus.SPAM
    elif verdicts:
        status = CommentStatus.PENDING
    else:
        status = CommentStatus.APPROVED
    return do_post_comment(
        has_followers=submission.facts["has_followers"] if status == CommentStatus.APPROVED else None,
        thread=thread,
        parent=parent,
        author=member,
        guest_name=guest_name if member is None else "",
        guest_email=guest_email if member is None else "",
        body=body,
        status=status,
        hold_reasons=[verdict.reason for verdict in verdicts],
        ip_hash=ip_hash,
        subscribe=subscribe,
    )


def do_post_comment(
    *,
    thread: Thread,
    parent: Comment | None,
    author,
    guest_name: str,
    guest_email: str,
    body: str,
    status: str,
    hold_reasons: list[str],
    ip_hash: str,
    subscribe: bool = False,
    created_at=None,
    announce: bool = True,
    has_followers: bool | None = None,
) -> Comment:
    """Store a comment that passed the checks. `has_followers`, when the caller already knows, saves a query."""
    with transaction.atomic():
        comment = Comment.objects.create(
            thread=thread,
            # By id: the caller's parent may hold only what the rules' query read of it.
            parent_id=parent.pk if parent else None,
            root_id=parent.root_id if parent else None,
            depth=parent.depth + 1 if parent else 1,
            author=author,
            guest_name=guest_name,
            guest_email=guest_email,
            body=body,
            body_html=render_comment(body),
            status=status,
            hold_reasons=hold_reasons,
            ip_hash=ip_hash,
            created_at=created_at or timezone.now(),
        )
        if parent is None:
            # A conversation's first comment is its own root, which it can name only once it has an id.
            Comment.objects.filter(pk=comment.pk).update(root_id=comment.pk)
            comment.root = comment
        if subscribe:
            subscribe_author(comment)
        # A held or spam comment changes nothing readers see: the thread's count and version stay.
        if comment.is_counted:
            Thread.objects.filter(pk=thread.pk).record_change(+1)
    if announce and comment.is_counted:
        announce_comment(comment, has_followers=has_followers)
    return comment


# Editing and deleting


def _own_comment(comment_id, user) -> Comment:
    if user is None or not user.is_authenticated:
        raise DiscussionError(_("Sign in to change your comments."), status=403)
    try:
        comment = Comment.objects.select_related("thread").get(pk=int(comment_id))
    except (TypeError, ValueError, Comment.DoesNotExist):
        raise DiscussionError(_("There is no such comment."), status=404) from None
    if comment.author_id != user.pk:
        raise DiscussionError(_("You can change only your own comments."), status=403)
    if comment.is_deleted:
        raise DiscussionError(_("This comment has been deleted."))
    return comment


def check_edit_comment(*, comment_id, user, body) -> Comment:
    comment = _own_comment(comment_id, user)
    if not comment.is_editable_by(user):
        minutes = settings.MASTHEAD_DISCUSSION_EDIT_MINUTES
        raise DiscussionError(_("Comments can be edited for %(minutes)s minutes after posting.") % {"minutes": minutes}, status=403)
    body = clean_body(body)
    policy = DiscussionSettings.current()
    verdicts = evaluate(
        Submission(thread=comment.thread, policy=policy, body=body, author=user), rules=CONTENT_RULES
    )
    refusal = next((verdict for verdict in verdicts if verdict.outcome == Outcome.REJECT), None)
    if refusal:
        raise DiscussionError(refusal.reason, status=refusal.status)
    return do_edit_comment(comment=comment, body=body, hold_reasons=[verdict.reason for verdict in verdicts])


def do_edit_comment(*, comment: Comment, body: str, hold_reasons: list[str], editor=None) -> Comment:
    """Replace the text; `editor` when a moderator edits, which the audit log records."""
    with transaction.atomic():
        was_counted = comment.is_counted
        comment.body = body
        comment.body_html = render_comment(body)
        comment.edited_at = timezone.now()
        fields = ["body", "body_html", "edited_at"]
        if hold_reasons and comment.status == CommentStatus.APPROVED:
            # An edit that adds what the rules hold goes back to the queue, as a new comment would.
            comment.status = CommentStatus.PENDING
            comment.hold_reasons = hold_reasons
            comment.moderators_notified_at = None  # held anew: the next notice tells moderators again
            fields += ["status", "hold_reasons", "moderators_notified_at"]
        comment.save(update_fields=fields)
        if editor is not None:
            ModerationEvent.objects.create(comment=comment, actor=editor, action=ModerationAction.EDIT)
        Thread.objects.filter(pk=comment.thread_id).record_change(comment.is_counted - was_counted)
    return comment


def check_delete_comment(*, comment_id, user) -> Comment | None:
    return do_delete_comment(comment=_own_comment(comment_id, user))


def do_delete_comment(*, comment: Comment) -> Comment | None:
    """Remove a comment; one with replies stays as a "comment deleted" placeholder so the replies keep their place.

    Returns the placeholder, or None when the comment is gone.
    """
    with transaction.atomic():
        was_counted = comment.is_counted
        if comment.replies.exists():
            comment.is_deleted = True
            comment.body = comment.body_html = ""
            comment.is_pinned = False
            comment.save(update_fields=["is_deleted", "body", "body_html", "is_pinned"])
            result = comment
        else:
            comment.delete()
            result = None
        Thread.objects.filter(pk=comment.thread_id).record_change(-int(was_counted))
    return result
