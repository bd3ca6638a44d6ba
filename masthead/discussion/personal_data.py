"""What the discussion keeps about one member: their part of "download my data", and forgotten with their
account (receivers of core.signals, connected in DiscussionConfig.ready()).

Their sections of the download (membership.personal_data describes the whole):

     "comments": [{"id", "article": {"title", "url"}, "permalink", "parent_id", "as_guest", "guest_name",
                   "body", "status", "is_deleted", "is_pinned", "upvotes", "downvotes", "created_at",
                   "edited_at", "passage": null | {"quote", "prefix", "suffix", "state"}}],
     "votes": [{"comment_id", "article": {...}, "value", "created_at", "updated_at"}],
     "reports": [{"comment_id", "article": {...}, "reason", "note", "resolved", "created_at"}],
     "follows": [{"article": {...}, "comment_id" | null, "created_at"}],
     "guest_addresses": [{"email", "confirmed_at", "created_at", "follows": [...]}],
     "comment_bans": [{"reason", "created_at", "expires_at"}]

`comments` holds the member's own and those posted as a guest with the account's address (`as_guest`); an inline
comment carries the passage it is about. Forgetting a member keeps the conversation: the comments stay, signed
"deleted member" and naming no one; the votes are withdrawn; the reports stay without their reporter; follows
and guest addresses go; the audit log stops naming them.
"""

import re

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse

from masthead.discussion.models import (
    DELETED_MEMBER_NAME,
    Ban,
    Comment,
    Flag,
    GuestAddress,
    ModerationEvent,
    Thread,
    Vote,
    wilson_lower_bound,
)
from masthead.discussion.models import Subscription as Follow


def _when(moment):
    return moment.isoformat() if moment else None


def _comments_of(user):
    """The member's comments, and those posted as a guest with the account's address."""
    theirs = Q(author=user)
    if user.email:
        theirs |= Q(author__isnull=True, author_deleted=False, guest_email__iexact=user.email)
    return Comment.objects.filter(theirs)


def discussion_data(sender, *, user, request=None, **kwargs) -> dict:
    """The member's sections of their download. A fixed number of queries, however much they wrote."""
    articles: dict[int, dict] = {}

    def article(page) -> dict:
        if page.pk not in articles:
            articles[page.pk] = {"title": page.title, "url": page.get_full_url(request)}
        return articles[page.pk]

    comments = _comments_of(user).select_related("thread__page", "inline_anchor").order_by("created_at", "pk")
    on_pages = "comment__thread__page"
    votes = Vote.objects.filter(voter=user).select_related(on_pages).order_by("created_at", "pk")
    reports = Flag.objects.filter(reporter=user).select_related(on_pages).order_by("created_at", "pk")
    follows = Follow.objects.filter(user=user).select_related("thread__page").order_by("created_at", "pk")
    # At most one: guest addresses are stored lower-cased, and unique.
    guest_addresses = list(GuestAddress.objects.filter(email__iexact=user.email)) if user.email else []
    guest_follows: dict[int, list] = {}
    guest_follows_made = Follow.objects.filter(guest__in=guest_addresses).select_related("thread__page")
    for follow in guest_follows_made.order_by("pk"):
        guest_follows.setdefault(follow.guest_id, []).append(_follow(follow, article))
    return {
        "comments": [_comment(comment, article) for comment in comments],
        "votes": [
            {
                "comment_id": vote.comment_id,
                "article": article(vote.comment.thread.page),
                "value": vote.value,
                "created_at": _when(vote.created_at),
                "updated_at": _when(vote.updated_at),
            }
            for vote in votes
        ],
        "reports": [
            {
                "comment_id": flag.comment_id,
                "article": article(flag.comment.thread.page),
                "reason": flag.reason,
                "note": flag.note,
                "resolved": flag.resolved,
                "created_at": _when(flag.created_at),
            }
            for flag in reports
        ],
        "follows": [_follow(follow, article) for follow in follows],
        "guest_addresses": [
            {
                "email": address.email,
                "confirmed_at": _when(address.confirmed_at),
                "created_at": _when(address.created_at),
                "follows": guest_follows.get(address.pk, []),
            }
            for address in guest_addresses
        ],
        "comment_bans": [
            {"reason": ban.reason, "created_at": _when(ban.created_at), "expires_at": _when(ban.expires_at)}
            for ban in Ban.objects.naming(user=user, email=user.email).order_by("created_at")
        ],
    }


def _comment(comment: Comment, article) -> dict:
    anchor = getattr(comment, "inline_anchor", None)
    return {
        "id": comment.pk,
        "article": article(comment.thread.page),
        "permalink": settings.MASTHEAD_BASE_URL
        + reverse("discussion:permalink", kwargs={"comment_id": comment.pk}),
        "parent_id": comment.parent_id,
        "as_guest": comment.author_id is None,
        "guest_name": comment.guest_name,
        "body": comment.body,
        "status": comment.status,
        "is_deleted": comment.is_deleted,
        "is_pinned": comment.is_pinned,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "created_at": _when(comment.created_at),
        "edited_at": _when(comment.edited_at),
        "passage": (
            {
                "quote": anchor.quote_exact,
                "prefix": anchor.quote_prefix,
                "suffix": anchor.quote_suffix,
                "state": anchor.state,
            }
            if anchor is not None
            else None
        ),
    }


def _follow(follow: Follow, article) -> dict:
    return {
        "article": article(follow.thread.page),
        "comment_id": follow.comment_id,
        "created_at": _when(follow.created_at),
    }


# Deleting an account ---------------------------------------------------------------------------------------


def forget_member(sender, *, user, **kwargs) -> None:
    """Remove the member from the discussion, keeping the conversation; run inside the deletion's transaction.

    Every thread whose pages change (a name gone, a score moved) gets a new version, which the cached article
    pages and thread HTML and JSON are keyed by, so no cache keeps showing the name.
    """
    comments = _comments_of(user)
    changed_threads = set(comments.values_list("thread_id", flat=True).distinct())
    comments.update(author=None, author_deleted=True, guest_name="", guest_email="", ip_hash="")
    changed_threads |= _withdraw_votes(user)
    # A report is about someone else's comment and may still wait for an editor: it stays, naming no one.
    Flag.objects.filter(reporter=user).update(reporter=None, reporter_ip_hash="")
    Follow.objects.filter(user=user).delete()
    if user.email:
        GuestAddress.objects.filter(email__iexact=user.email).delete()  # with the follows made as a guest
        _scrub_audit_log(user)
    if changed_threads:
        Thread.objects.filter(pk__in=changed_threads).update(version=F("version") + 1)


def _withdraw_votes(user) -> set[int]:
    """Delete the member's votes and recount the comments they were on; returns those comments' threads.

    The vote rows are the truth (discussion.actions.recount_votes recounts from them at every vote), so
    tallies kept without their rows would drop at the next vote anyone casts: the votes leave with the voter,
    now.
    """
    voted = Comment.objects.filter(votes__voter=user)
    # Locked as a vote locks its comment, so that a vote cast meanwhile is either counted here or waits.
    comments = list(
        Comment.objects.select_for_update()
        .filter(pk__in=voted.values("pk"))
        .only("pk", "thread_id", "upvotes", "downvotes", "score", "wilson", "imported_upvotes", "imported_downvotes")
    )
    if not comments:
        return set()
    remaining = {
        row["comment_id"]: (row["up"], row["down"])
        for row in Vote.objects.filter(comment__in=voted.values("pk"))
        .exclude(voter=user)
        .order_by()
        .values("comment_id")
        .annotate(up=Count("pk", filter=Q(value=1)), down=Count("pk", filter=Q(value=-1)))
    }
    Vote.objects.filter(voter=user).delete()
    for comment in comments:
        up, down = remaining.get(comment.pk, (0, 0))
        comment.upvotes, comment.downvotes = up + comment.imported_upvotes, down + comment.imported_downvotes
        comment.score = comment.upvotes - comment.downvotes
        comment.wilson = wilson_lower_bound(comment.upvotes, comment.downvotes)
    Comment.objects.bulk_update(comments, ["upvotes", "downvotes", "score", "wilson"], batch_size=500)
    return {comment.thread_id for comment in comments}


def _scrub_audit_log(user) -> None:
    """Bans are logged as "Banned <name> <<e-mail>>": the log keeps what happened, not whom it named."""
    events = list(ModerationEvent.objects.filter(detail__icontains=user.email))
    with_name = re.compile(re.escape(f"{user.public_name} <{user.email}>"), re.IGNORECASE)
    address = re.compile(re.escape(user.email), re.IGNORECASE)
    for event in events:
        event.detail = address.sub(DELETED_MEMBER_NAME, with_name.sub(DELETED_MEMBER_NAME, event.detail))
    ModerationEvent.objects.bulk_update(events, ["detail"], batch_size=500)
