"""Bans: a member or a guest's e-mail address that may no longer comment, for good or for a while."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from masthead.accounts.models import User
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import Ban, Comment, CommentStatus, ModerationAction, ModerationEvent
from masthead.discussion.permissions import can_moderate


def do_ban(*, comment: Comment, editor, reason: str = "", expires_at=None) -> str:
    """Ban the comment's author (the member, or the guest's e-mail) and send their pending comments to spam.

    Returns the audit log's description of the ban (the caller logs it against the comment)."""
    if comment.author_deleted:
        return "Nobody to ban: the author deleted their account"
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


@dataclass(frozen=True)
class BanRequest:
    """A ban an editor asked for that passed the checks: shown on the confirmation page, then made."""

    user: User | None
    email: str
    reason: str
    expires_at: datetime | None

    @property
    def target(self) -> str:
        if self.user is None:
            return self.email
        return f"{self.user.public_name} <{self.user.email}>" if self.user.email else self.user.public_name


def clean_ban_terms(*, reason, expires_at) -> str:
    """The reason and expiry every ban needs, whichever door it comes by; returns the reason, trimmed."""
    reason = (reason or "").strip()
    if not reason:
        raise DiscussionError("Give a reason for the ban: it is kept with the ban and shown in the ban list.")
    if len(reason) > 200:
        raise DiscussionError("Keep the reason under 200 characters.")
    if expires_at is not None and expires_at <= timezone.now():
        raise DiscussionError("The expiry must be in the future; leave it empty for a ban until lifted.")
    return reason


def validate_ban(*, editor, member: str = "", email: str = "", reason: str = "", expires_at=None) -> BanRequest:
    """Check a ban asked for from the ban list (a member named by username or e-mail address, or a guest's
    e-mail address) without making it, so that the editor can confirm it first."""
    if not can_moderate(editor):
        raise DiscussionError("You may not moderate comments.", status=403)
    member, email = (member or "").strip(), (email or "").strip()
    if bool(member) == bool(email):
        raise DiscussionError("Name either a member or an e-mail address to ban.")
    reason = clean_ban_terms(reason=reason, expires_at=expires_at)
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
    return BanRequest(user=user, email=email, reason=reason, expires_at=expires_at)


def check_add_ban(*, editor, member: str = "", email: str = "", reason: str = "", expires_at=None) -> Ban:
    """Ban a member or a guest's e-mail address from the ban list; a reason is required."""
    asked = validate_ban(editor=editor, member=member, email=email, reason=reason, expires_at=expires_at)
    return do_add_ban(user=asked.user, email=asked.email, reason=asked.reason, expires_at=asked.expires_at,
                      editor=editor)


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
