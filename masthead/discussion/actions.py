"""Every write to the discussion: `check_*` validates the request and calls `do_*`, which assumes valid input.

The page, the JSON API, the Wagtail admin and the import command all go through these functions, so a comment is
checked, stored, counted, logged and announced the same way whichever door it came in by.
"""

import hashlib
import hmac
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from masthead.discussion.errors import DiscussionError
from masthead.discussion.markup import MalformedMarkdown, check_markdown, render_comment
from masthead.discussion.models import (
    Ban,
    Comment,
    CommentStatus,
    DiscussionSettings,
    Flag,
    FlagReason,
    GuestAddress,
    ModerationAction,
    ModerationEvent,
    Subscription,
    Thread,
    Vote,
    WhoMayComment,
    wilson_lower_bound,
)
from masthead.discussion.rules import CONTENT_RULES, Outcome, Submission, evaluate


def hash_ip(ip: str) -> str:
    """A keyed hash of an IP address: enough to rate-limit and spot repeat abuse, useless to anyone without the key."""
    if not ip:
        return ""
    key = settings.MASTHEAD_DISCUSSION_IP_HASH_KEY.encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def thread_for(page, *, create: bool = True) -> Thread:
    """The article's thread; with create=False an unsaved one when nobody has commented yet (no write on a read)."""
    thread = getattr(page, "_discussion_thread", None)
    if thread is None or (create and thread.pk is None):
        if create:
            thread, _ = Thread.objects.get_or_create(page=page)
        else:
            thread = Thread.objects.filter(page=page).first() or Thread(page=page)
        thread.page = page  # is_open reads the publication date; no second query for the page
        page._discussion_thread = thread
    return thread


def _is_visible(comment: Comment) -> bool:
    return comment.status == CommentStatus.APPROVED and not comment.is_deleted


def _shift_count(thread_id: int, delta: int) -> None:
    """Record a change readers can see: the visible count moves by `delta` and the thread's version goes up.

    One UPDATE that adds in the database, so concurrent writes never overwrite each other's increments; plain
    SQL because every post runs it.
    """
    table = connection.ops.quote_name(Thread._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET comment_count = comment_count + %s, version = version + 1 WHERE id = %s",  # noqa: S608
            [delta, thread_id],
        )


def _announce(comment: Comment, *, has_followers: bool | None = None) -> None:
    """Queue the reply notifications, after the commit, when anyone follows the thread.

    Most threads have no followers: asking costs less than queueing a task that would find none, and the rules'
    query has usually asked already (`has_followers`).
    """
    from masthead.discussion.tasks import notify_subscribers

    if has_followers is None:
        has_followers = Subscription.objects.filter(thread_id=comment.thread_id).exists()
    if has_followers:
        transaction.on_commit(partial(notify_subscribers.enqueue, comment_id=comment.pk))


def clean_body(body) -> str:
    if not isinstance(body, str):
        raise DiscussionError("The comment text is missing.")
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise DiscussionError("Write something before posting: the comment is empty.")
    limit = settings.MASTHEAD_DISCUSSION_MAX_LENGTH
    if len(body) > limit:
        raise DiscussionError(f"Comments are limited to {limit:,} characters; this one has {len(body):,}.")
    try:
        check_markdown(body)
    except MalformedMarkdown as error:
        raise DiscussionError(str(error)) from error
    return body


def _comment_on_page(comment_id, *, page=None, message: str) -> Comment:
    try:
        comment_id = int(comment_id)
    except (TypeError, ValueError):
        raise DiscussionError(message) from None
    comment = Comment.objects.select_related("thread").filter(pk=comment_id).first()
    if comment is None or comment.status != CommentStatus.APPROVED:
        raise DiscussionError(message, status=404 if page is None else 400)
    return comment


# Posting


def _parent_of_reply(row: tuple | None, thread: Thread) -> Comment:
    """The comment replied to, from the rules' query: (id, thread_id, status, is_deleted, root_id, depth).

    Only those fields are set: enough to place the reply (root, depth), not to show the parent."""
    if row is None or row[2] != CommentStatus.APPROVED:
        raise DiscussionError("The comment you are replying to does not exist.")
    pk, thread_id, status, is_deleted, root_id, depth = row
    if thread_id != thread.pk:  # one thread per article
        raise DiscussionError("The comment you are replying to belongs to another article.")
    if is_deleted:
        raise DiscussionError("The comment you are replying to has been deleted.")
    return Comment(
        pk=pk, thread_id=thread_id, status=status, is_deleted=bool(is_deleted), root_id=root_id, depth=depth
    )


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
        raise DiscussionError("Comments on this article are closed.", status=403)
    member = user if user is not None and user.is_authenticated else None
    if member is None:
        if policy.who_may_comment != WhoMayComment.EVERYONE:
            raise DiscussionError("Sign in to comment.", status=403)
        guest_name = (guest_name or "").strip()
        guest_email = (guest_email or "").strip()
        if not guest_name or len(guest_name) > 80:
            raise DiscussionError("Give your name (up to 80 characters) to comment as a guest.")
        try:
            validate_email(guest_email)
        except ValidationError:
            raise DiscussionError("Give a valid e-mail address to comment as a guest.") from None
    body = clean_body(body)

    parent_pk = None
    if parent_id not in (None, ""):
        try:
            parent_pk = int(parent_id)
        except (TypeError, ValueError):
            raise DiscussionError("The comment you are replying to does not exist.") from None
        if not 0 < parent_pk < 2**63:  # no such id, and more than the databases' integers hold
            raise DiscussionError("The comment you are replying to does not exist.")

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
    # The parent comes with the rules' one query, and is checked before them.
    parent = _parent_of_reply(submission.facts["parent"], thread) if parent_pk is not None else None
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
    comment = Comment(
        thread=thread,
        # By id: the caller's parent may hold only what the rules' query read of it (_parent_of_reply).
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
    # A held or spam comment changes nothing readers see: the thread's count and version stay.
    visible = _is_visible(comment)
    if subscribe:
        with transaction.atomic():
            _insert_comment(comment, counted=visible)
            _subscribe_author(comment)
    else:
        _insert_comment(comment, counted=visible)
    if announce and visible:
        _announce(comment, has_followers=has_followers)
    schedule_ip_purge()
    return comment


def _insert_comment(comment: Comment, *, counted: bool) -> None:
    """Store a new comment, a conversation's first comment being its own root, and when `counted` add it to the
    thread's count and version: all in one transaction."""
    if connection.vendor == "postgresql":
        _insert_comment_in_one_statement(comment, counted=counted)
    else:
        with transaction.atomic():
            comment.save()
            if comment.root_id is None:
                # The conversation's first comment: its id exists only once the row does.
                comment.root_id = comment.pk
                Comment.objects.filter(pk=comment.pk).update(root_id=comment.pk)
            if counted:
                _shift_count(comment.thread_id, 1)
    if comment.root_id == comment.pk:
        comment.root = comment


def _insert_comment_in_one_statement(comment: Comment, *, counted: bool) -> None:
    """PostgreSQL: one statement, a transaction of its own when no other is open.

    The id is drawn from the sequence first, so the INSERT sets the root itself (no second write of the row), and
    the thread's row is updated by the same statement, so its lock is held only until that statement commits.
    One round trip where BEGIN, INSERT, UPDATE, UPDATE and COMMIT made five.
    """
    quote = connection.ops.quote_name
    fields = [field for field in Comment._meta.concrete_fields if field.attname not in ("id", "root_id")]
    values = [field.get_db_prep_save(field.pre_save(comment, True), connection) for field in fields]
    table = quote(Comment._meta.db_table)
    count, count_params = "", []
    if counted:
        count = (
            f", counted AS (UPDATE {quote(Thread._meta.db_table)} "
            "SET comment_count = comment_count + 1, version = version + 1 WHERE id = %s)"
        )
        count_params = [comment.thread_id]
    sql = f"""
        WITH new AS (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS id),
        inserted AS (
            INSERT INTO {table} (id, root_id, {", ".join(quote(field.column) for field in fields)})
            VALUES ((SELECT id FROM new), COALESCE(%s, (SELECT id FROM new)), {", ".join(["%s"] * len(fields))})
            RETURNING id, root_id
        ){count}
        SELECT id, root_id FROM inserted
    """  # noqa: S608 (names from the models; every value is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [table, comment.root_id, *values, *count_params])
        comment.pk, comment.root_id = cursor.fetchone()
    comment._state.adding = False
    comment._state.db = connection.alias


def _subscribe_author(comment: Comment) -> Subscription:
    """Follow the replies to the new comment; a guest's unconfirmed address is first sent a confirmation link."""
    if comment.author_id:
        subscription, _ = Subscription.objects.get_or_create(
            thread_id=comment.thread_id, comment=comment, user_id=comment.author_id
        )
        return subscription
    address, _ = GuestAddress.objects.get_or_create(email=comment.guest_email.lower())
    subscription, _ = Subscription.objects.get_or_create(thread_id=comment.thread_id, comment=comment, guest=address)
    if not address.is_confirmed:
        _ask_to_confirm(address)
    return subscription


# A guest who subscribes again before confirming gets the link again, but at most this often.
CONFIRMATION_RESEND_AFTER = timedelta(hours=1)


def _ask_to_confirm(address: GuestAddress) -> None:
    from masthead.discussion.tasks import send_guest_confirmation

    now = timezone.now()
    recently = address.confirmation_sent_at and now - address.confirmation_sent_at < CONFIRMATION_RESEND_AFTER
    if recently:
        return
    GuestAddress.objects.filter(pk=address.pk).update(confirmation_sent_at=now)
    transaction.on_commit(partial(send_guest_confirmation.enqueue, address_id=address.pk))


# Votes


def check_vote(*, comment_id, user, value) -> Comment:
    if user is None or not user.is_authenticated:
        raise DiscussionError("Sign in to vote.", status=403)
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in (1, -1):
        raise DiscussionError("A vote is +1 (up) or -1 (down).")
    comment = _comment_on_page(comment_id, message="There is no such comment to vote on.")
    if comment.is_deleted:
        raise DiscussionError("This comment has been deleted.")
    if comment.author_id == user.pk:
        raise DiscussionError("You cannot vote on your own comment.")
    if not comment.thread.is_open(DiscussionSettings.current()):
        raise DiscussionError("Comments on this article are closed.", status=403)
    return do_vote(comment=comment, voter=user, value=value)


def do_vote(*, comment: Comment, voter, value: int) -> Comment:
    """Cast, change or (the same vote again) withdraw a vote; the tallies are recounted from the vote rows."""
    with transaction.atomic():
        # Locking the comment serialises votes on it, so the recount below always sees every committed vote.
        locked = Comment.objects.select_for_update().only("pk").get(pk=comment.pk)
        existing = Vote.objects.filter(comment=locked, voter=voter).first()
        now = timezone.now()
        if existing is None:
            try:
                with transaction.atomic():
                    Vote.objects.create(comment=locked, voter=voter, value=value, created_at=now, updated_at=now)
            except IntegrityError:
                # SQLite has no row locks: a second click racing the first lands here and changes nothing.
                pass
        elif existing.value == value:
            existing.delete()
        else:
            existing.value = value
            existing.updated_at = now
            existing.save(update_fields=["value", "updated_at"])
        recount_votes(comment)
        _shift_count(comment.thread_id, 0)
    return comment


def recount_votes(comment: Comment) -> None:
    """Set the comment's tallies from its vote rows (the rows are the truth; the tallies are for sorting)."""
    tally = Vote.objects.filter(comment=comment).aggregate(
        up=Count("pk", filter=Q(value=1)), down=Count("pk", filter=Q(value=-1))
    )
    comment.upvotes, comment.downvotes = tally["up"], tally["down"]
    comment.score = comment.upvotes - comment.downvotes
    comment.wilson = wilson_lower_bound(comment.upvotes, comment.downvotes)
    comment.save(update_fields=["upvotes", "downvotes", "score", "wilson"])


# Editing and deleting


def _own_comment(comment_id, user) -> Comment:
    if user is None or not user.is_authenticated:
        raise DiscussionError("Sign in to change your comments.", status=403)
    try:
        comment = Comment.objects.select_related("thread").get(pk=int(comment_id))
    except (TypeError, ValueError, Comment.DoesNotExist):
        raise DiscussionError("There is no such comment.", status=404) from None
    if comment.author_id != user.pk:
        raise DiscussionError("You can change only your own comments.", status=403)
    if comment.is_deleted:
        raise DiscussionError("This comment has been deleted.")
    return comment


def check_edit_comment(*, comment_id, user, body) -> Comment:
    comment = _own_comment(comment_id, user)
    if not comment.is_editable_by(user):
        minutes = settings.MASTHEAD_DISCUSSION_EDIT_MINUTES
        raise DiscussionError(f"Comments can be edited for {minutes} minutes after posting.", status=403)
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
    with transaction.atomic():
        was_visible = _is_visible(comment)
        comment.body = body
        comment.body_html = render_comment(body)
        comment.edited_at = timezone.now()
        fields = ["body", "body_html", "edited_at"]
        if hold_reasons and comment.status == CommentStatus.APPROVED:
            # An edit that adds what the rules hold goes back to the queue, as a new comment would.
            comment.status = CommentStatus.PENDING
            comment.hold_reasons = hold_reasons
            fields += ["status", "hold_reasons"]
        comment.save(update_fields=fields)
        _shift_count(comment.thread_id, _is_visible(comment) - was_visible)
        if editor is not None:
            ModerationEvent.objects.create(comment=comment, actor=editor, action=ModerationAction.EDIT)
    return comment


def check_delete_comment(*, comment_id, user) -> Comment | None:
    return do_delete_comment(comment=_own_comment(comment_id, user))


def do_delete_comment(*, comment: Comment) -> Comment | None:
    """Remove a comment; one with replies stays as a "comment deleted" placeholder so the replies keep their place.

    Returns the placeholder, or None when the comment is gone.
    """
    with transaction.atomic():
        was_visible = _is_visible(comment)
        if comment.replies.exists():
            comment.is_deleted = True
            comment.body = comment.body_html = ""
            comment.is_pinned = False
            comment.save(update_fields=["is_deleted", "body", "body_html", "is_pinned"])
            result = comment
        else:
            comment.delete()
            result = None
        _shift_count(comment.thread_id, -int(was_visible))
    return result


# Reports


def check_report_comment(*, comment_id, user, reason, note: str = "", ip: str = "") -> Flag:
    comment = _comment_on_page(comment_id, message="There is no such comment to report.")
    if reason not in FlagReason.values:
        raise DiscussionError("Choose a reason for the report from the list.")
    note = (note or "").strip()
    if len(note) > 500:
        raise DiscussionError("Keep the note under 500 characters.")
    member = user if user is not None and user.is_authenticated else None
    if member is not None and Flag.objects.filter(comment=comment, reporter=member).exists():
        raise DiscussionError("You have already reported this comment; an editor will look at it.")
    return do_report_comment(comment=comment, reporter=member, reason=reason, note=note, ip_hash=hash_ip(ip))


def do_report_comment(*, comment: Comment, reporter, reason: str, note: str, ip_hash: str) -> Flag:
    return Flag.objects.create(comment=comment, reporter=reporter, reason=reason, note=note, reporter_ip_hash=ip_hash)


# Subscriptions


def check_subscribe_thread(*, page, user) -> Subscription:
    if user is None or not user.is_authenticated:
        raise DiscussionError("Sign in to follow a discussion.", status=403)
    if not user.email:
        raise DiscussionError("Your account has no e-mail address to send notifications to.")
    return do_subscribe_thread(thread=thread_for(page), user=user)


def do_subscribe_thread(*, thread: Thread, user) -> Subscription:
    subscription, _ = Subscription.objects.get_or_create(thread=thread, comment=None, user=user)
    return subscription


def do_confirm_guest_address(*, token: str) -> GuestAddress | None:
    """The guest followed the confirmation link: their subscriptions start sending. None for an unknown token."""
    address = GuestAddress.objects.filter(token=token).first()
    if address is not None and not address.is_confirmed:
        address.confirmed_at = timezone.now()
        address.save(update_fields=["confirmed_at"])
    return address


def do_unsubscribe(*, token: str) -> bool:
    """Drop the subscription the token names; True when there was one."""
    deleted, _ = Subscription.objects.filter(token=token).delete()
    return bool(deleted)


# Moderation


MODERATION_STATUS = {
    ModerationAction.APPROVE: CommentStatus.APPROVED,
    ModerationAction.REJECT: CommentStatus.REJECTED,
    ModerationAction.SPAM: CommentStatus.SPAM,
}


def check_moderate(*, comment_ids, action: str, editor) -> list[Comment]:
    if not can_moderate(editor):
        raise DiscussionError("You may not moderate comments.", status=403)
    if action not in {*MODERATION_STATUS, ModerationAction.PIN, ModerationAction.UNPIN,
                      ModerationAction.DISMISS_REPORTS, ModerationAction.BAN}:
        raise DiscussionError("Choose a moderation action.")
    try:
        ids = sorted({int(pk) for pk in comment_ids})
    except (TypeError, ValueError):
        raise DiscussionError("Select the comments to act on.") from None
    comments = list(Comment.objects.filter(pk__in=ids).select_related("author"))
    if not comments:
        raise DiscussionError("Select the comments to act on.")
    return do_moderate(comments=comments, action=action, editor=editor)


def can_moderate(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm("discussion.change_comment"))


def do_moderate(*, comments: list[Comment], action: str, editor) -> list[Comment]:
    with transaction.atomic():
        for comment in comments:
            was_visible = _is_visible(comment)
            detail = ""
            if action in MODERATION_STATUS:
                comment.status = MODERATION_STATUS[action]
                comment.save(update_fields=["status"])
                comment.flags.filter(resolved=False).update(resolved=True)
                if action == ModerationAction.APPROVE and not was_visible and _is_visible(comment):
                    _announce(comment)
            elif action in (ModerationAction.PIN, ModerationAction.UNPIN):
                comment.is_pinned = action == ModerationAction.PIN
                comment.save(update_fields=["is_pinned"])
            elif action == ModerationAction.DISMISS_REPORTS:
                comment.flags.filter(resolved=False).update(resolved=True)
            elif action == ModerationAction.BAN:
                detail = do_ban(comment=comment, editor=editor)
            _shift_count(comment.thread_id, _is_visible(comment) - was_visible)
            ModerationEvent.objects.create(comment=comment, actor=editor, action=action, detail=detail)
    return comments


def do_ban(*, comment: Comment, editor, reason: str = "", expires_at=None) -> str:
    """Ban the comment's author (the member, or the guest's e-mail) and send their pending comments to spam."""
    if comment.author_id:
        ban = _ban(user=comment.author, email="", reason=reason, expires_at=expires_at, editor=editor)
    else:
        ban = _ban(user=None, email=comment.guest_email, reason=reason, expires_at=expires_at, editor=editor)
    return _describe_ban("Banned", ban)


def _ban(*, user, email: str, reason: str, expires_at, editor) -> Ban:
    """Create the ban, or renew the one already there (an expired ban becomes the new one)."""
    values = {"reason": reason, "expires_at": expires_at, "created_by": editor, "created_at": timezone.now()}
    if user is not None:
        ban, _ = Ban.objects.update_or_create(user=user, defaults=values)
        pending = Comment.objects.filter(author=user)
    else:
        email = email.strip().lower()
        ban, _ = Ban.objects.update_or_create(email=email, defaults=values)
        pending = Comment.objects.filter(guest_email__iexact=email, author__isnull=True)
    pending.filter(status=CommentStatus.PENDING).update(status=CommentStatus.SPAM)
    return ban


def _describe_ban(verb: str, ban: Ban) -> str:
    detail = f"{verb} {ban.target}"
    if ban.expires_at:
        detail += f" until {timezone.localtime(ban.expires_at):%Y-%m-%d %H:%M %Z}"
    if ban.reason:
        detail += f": {ban.reason}"
    return detail[:500]


def check_add_ban(*, editor, member: str = "", email: str = "", reason: str = "", expires_at=None) -> Ban:
    """Ban a member (named by username or e-mail address) or a guest's e-mail address from the ban list."""
    from masthead.accounts.models import User

    if not can_moderate(editor):
        raise DiscussionError("You may not moderate comments.", status=403)
    member, email, reason = (member or "").strip(), (email or "").strip(), (reason or "").strip()
    if bool(member) == bool(email):
        raise DiscussionError("Name either a member or an e-mail address to ban.")
    if len(reason) > 200:
        raise DiscussionError("Keep the reason under 200 characters.")
    if expires_at is not None and expires_at <= timezone.now():
        raise DiscussionError("The expiry must be in the future; leave it empty for a ban until lifted.")
    user = None
    if member:
        user = User.objects.filter(Q(username__iexact=member) | Q(email__iexact=member)).first()
        if user is None:
            raise DiscussionError(f"There is no member “{member}”.")
        if user == editor:
            raise DiscussionError("You cannot ban yourself.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            raise DiscussionError("Give a valid e-mail address to ban.") from None
    return do_add_ban(user=user, email=email, reason=reason, expires_at=expires_at, editor=editor)


def do_add_ban(*, user, email: str, reason: str, expires_at, editor) -> Ban:
    with transaction.atomic():
        ban = _ban(user=user, email=email, reason=reason, expires_at=expires_at, editor=editor)
        ModerationEvent.objects.create(actor=editor, action=ModerationAction.BAN, detail=_describe_ban("Banned", ban))
    return ban


def check_lift_ban(*, ban_id, editor) -> Ban:
    if not can_moderate(editor):
        raise DiscussionError("You may not moderate comments.", status=403)
    try:
        ban = Ban.objects.select_related("user").get(pk=int(ban_id))
    except (TypeError, ValueError, Ban.DoesNotExist):
        raise DiscussionError("There is no such ban; it may have been lifted already.", status=404) from None
    return do_lift_ban(ban=ban, editor=editor)


def do_lift_ban(*, ban: Ban, editor) -> Ban:
    """Unban: the row goes (the audit log keeps who was banned, why and by whom) and they may comment again."""
    with transaction.atomic():
        detail = _describe_ban("Lifted the ban on", ban)
        ban.delete()
        ModerationEvent.objects.create(actor=editor, action=ModerationAction.UNBAN, detail=detail)
    return ban


def check_moderator_edit(*, comment_id, editor, body) -> Comment:
    if not can_moderate(editor):
        raise DiscussionError("You may not moderate comments.", status=403)
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        raise DiscussionError("There is no such comment.", status=404)
    return do_edit_comment(comment=comment, body=clean_body(body), hold_reasons=[], editor=editor)


def do_set_thread_closed(*, thread: Thread, closed: bool, editor) -> Thread:
    with transaction.atomic():
        thread.is_closed = closed
        thread.save(update_fields=["is_closed"])
        _shift_count(thread.pk, 0)
        ModerationEvent.objects.create(
            actor=editor,
            action=ModerationAction.CLOSE if closed else ModerationAction.OPEN,
            detail=f"Thread of page {thread.page_id}",
        )
    return thread


# Privacy

IP_PURGE_CACHE_KEY = "discussion:ip-purge-queued"
IP_PURGE_INTERVAL_SECONDS = 3600
_next_ip_purge_check = 0.0  # this process's own clock: most posts skip even the cache


def schedule_ip_purge() -> None:
    """Queue the IP-hash purge at most once an hour, from the write path, so no scheduler has to be set up.

    The cache's atomic add decides which process queues it; cron can still run `manage.py purge_comment_ips`.
    """
    global _next_ip_purge_check
    now = time.monotonic()
    if now < _next_ip_purge_check:
        return
    _next_ip_purge_check = now + IP_PURGE_INTERVAL_SECONDS
    if cache.add(IP_PURGE_CACHE_KEY, True, IP_PURGE_INTERVAL_SECONDS):
        from masthead.discussion.tasks import purge_ip_hashes

        transaction.on_commit(purge_ip_hashes.enqueue)


def do_purge_ip_hashes(*, now=None) -> int:
    """Forget the IP hashes older than the retention period; returns how many rows were cleared."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.MASTHEAD_DISCUSSION_IP_RETENTION_DAYS)
    cleared = Comment.objects.filter(created_at__lt=cutoff).exclude(ip_hash="").update(ip_hash="")
    cleared += Flag.objects.filter(created_at__lt=cutoff).exclude(reporter_ip_hash="").update(reporter_ip_hash="")
    return cleared
