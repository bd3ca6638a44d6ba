"""Votes on comments: one per member (or guest, when guests may comment) and comment, changed or withdrawn;
tallies recounted from the rows."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.core import ratelimit
from masthead.discussion.actions.comments import approved_comment
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import Comment, DiscussionSettings, Thread, Vote, WhoMayComment, wilson_lower_bound


def check_vote(*, comment_id, user, value, guest_key: str = "", ip: str = "", policy=None) -> Comment:
    """A member's vote, or a guest's (`guest_key`, discussion.guests) when the policy lets guests comment."""
    policy = policy or DiscussionSettings.current()
    member = user is not None and user.is_authenticated
    if not member and (policy.who_may_comment != WhoMayComment.EVERYONE or not guest_key):
        raise DiscussionError(_("Sign in to vote."), status=403)
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in (1, -1):
        raise DiscussionError("A vote is +1 (up) or -1 (down).")
    comment = approved_comment(comment_id, message=_("There is no such comment to vote on."))
    if comment.is_deleted:
        raise DiscussionError(_("This comment has been deleted."))
    if member and comment.author_id == user.pk:
        raise DiscussionError(_("You cannot vote on your own comment."))
    if not comment.thread.is_open(policy):
        raise DiscussionError(_("Comments on this article are closed."), status=403)
    if not member and not ratelimit.allow(
        "guest-votes-by-address", ip or "unknown", limit=settings.MASTHEAD_DISCUSSION_GUEST_VOTES_PER_HOUR,
        window_seconds=3600,
    ):
        # A guest who drops their cookie could vote again: an address gets this many guest votes an hour.
        raise DiscussionError(_("Too many votes from your address; try again in an hour, or sign in."), status=429)
    if member:
        return do_vote(comment=comment, voter=user, value=value)
    return do_vote(comment=comment, guest_key=guest_key, value=value)


def do_vote(*, comment: Comment, value: int, voter=None, guest_key: str = "") -> Comment:
    """Cast, change or (the same vote again) withdraw a member's or a guest's vote; the tallies are recounted
    from the vote rows."""
    if voter is None and not guest_key:
        raise ValueError("A vote is by a member or a guest.")
    who = {"voter": voter} if voter is not None else {"voter": None, "guest_key": guest_key}
    with transaction.atomic():
        # Locking the comment serialises votes on it, so the recount below always sees every committed vote.
        locked = (
            Comment.objects.select_for_update()
            .only("pk", "imported_upvotes", "imported_downvotes")
            .get(pk=comment.pk)
        )
        comment.imported_upvotes, comment.imported_downvotes = locked.imported_upvotes, locked.imported_downvotes
        existing = Vote.objects.filter(comment=locked, **who).first()
        now = timezone.now()
        if existing is None:
            try:
                with transaction.atomic():
                    Vote.objects.create(comment=locked, value=value, created_at=now, updated_at=now, **who)
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
        Thread.objects.filter(pk=comment.thread_id).record_change()
    return comment


def recount_votes(comment: Comment) -> None:
    """Set the comment's tallies from its vote rows plus the votes it was imported with (the rows and the
    imported counts are the truth; the tallies are for sorting)."""
    tally = Vote.objects.filter(comment=comment).aggregate(
        up=Count("pk", filter=Q(value=1)), down=Count("pk", filter=Q(value=-1))
    )
    comment.upvotes = tally["up"] + comment.imported_upvotes
    comment.downvotes = tally["down"] + comment.imported_downvotes
    comment.score = comment.upvotes - comment.downvotes
    comment.wilson = wilson_lower_bound(comment.upvotes, comment.downvotes)
    comment.save(update_fields=["upvotes", "downvotes", "score", "wilson"])
