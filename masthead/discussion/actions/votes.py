"""Votes on comments: one per member and comment, changed or withdrawn; tallies recounted from the rows."""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from masthead.discussion.actions.comments import approved_comment
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import Comment, DiscussionSettings, Thread, Vote, wilson_lower_bound


def check_vote(*, comment_id, user, value) -> Comment:
    if user is None or not user.is_authenticated:
        raise DiscussionError("Sign in to vote.", status=403)
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in (1, -1):
        raise DiscussionError("A vote is +1 (up) or -1 (down).")
    comment = approved_comment(comment_id, message="There is no such comment to vote on.")
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
        locked = (
            Comment.objects.select_for_update()
            .only("pk", "imported_upvotes", "imported_downvotes")
            .get(pk=comment.pk)
        )
        comment.imported_upvotes, comment.imported_downvotes = locked.imported_upvotes, locked.imported_downvotes
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
