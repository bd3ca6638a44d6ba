"""Comments brought from another system (a WordPress export): added as they were, then the thread settled once.

The importer decides who wrote a comment and in what state it arrives; these functions store it the way the
discussion keeps comments (root and depth for the tree, tallies including the imported votes), and settle the
thread afterwards: visible count recounted, closed if the old site had closed it, a new version for the caches.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F

from masthead.discussion.markup import render_comment
from masthead.discussion.models import (
    Comment,
    CommentStatus,
    ModerationAction,
    ModerationEvent,
    Thread,
    wilson_lower_bound,
)


def do_add_imported_comment(
    *,
    thread: Thread,
    parent: Comment | None,
    author=None,
    guest_name: str = "",
    guest_email: str = "",
    guest_url: str = "",
    body: str,
    status: str,
    created_at: datetime,
    upvotes: int = 0,
    downvotes: int = 0,
) -> Comment:
    """Store one imported comment; the caller settles the thread when its comments are all in."""
    with transaction.atomic():
        comment = Comment(
            thread=thread,
            parent=parent,
            root_id=parent.root_id if parent else None,
            depth=parent.depth + 1 if parent else 1,
            author=author,
            guest_name="" if author else (guest_name or "Anonymous")[:80],
            guest_email="" if author else guest_email[:254],
            guest_url="" if author else guest_url[:500],
            body=body,
            body_html=render_comment(body),
            status=status if status in CommentStatus.values else CommentStatus.PENDING,
            created_at=created_at,
            imported_upvotes=max(upvotes, 0),
            imported_downvotes=max(downvotes, 0),
            upvotes=max(upvotes, 0),
            downvotes=max(downvotes, 0),
            score=max(upvotes, 0) - max(downvotes, 0),
            wilson=wilson_lower_bound(max(upvotes, 0), max(downvotes, 0)),
        )
        comment.save()
        if parent is None:
            comment.root = comment
            comment.save(update_fields=["root"])
    return comment


def do_settle_imported_thread(*, thread: Thread, added: int, close: bool, editor=None) -> Thread:
    """Recount what readers see, close the thread if asked, log the import, and raise the version."""
    with transaction.atomic():
        if close and not thread.is_closed:
            thread.is_closed = True
            thread.save(update_fields=["is_closed"])
        if added:
            ModerationEvent.objects.create(
                actor=editor, action=ModerationAction.IMPORT, detail=f"{added} comments on page {thread.page_id}"
            )
        visible = thread.comments.filter(status=CommentStatus.APPROVED, is_deleted=False).count()
        Thread.objects.filter(pk=thread.pk).update(comment_count=visible, version=F("version") + 1)
    return thread
