"""Comments brought from another system (a WordPress export): added as they were, then the thread settled once.

The importer decides who wrote a comment and in what state it arrives; these functions store it the way the
discussion keeps comments (root and depth for the tree, tallies including the imported votes), and settle the
thread afterwards: visible count recounted, closed if the old site had closed it, a new version for the caches.
"""

from dataclasses import dataclass
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


@dataclass
class ImportedComment:
    """One comment for `do_add_imported_comments`: its parent is a stored comment (`parent`) or an earlier one of
    the same list (`parent_index`), or neither (top level)."""

    body: str
    status: str
    created_at: datetime
    parent: Comment | None = None
    parent_index: int | None = None
    author: object = None
    guest_name: str = ""
    guest_email: str = ""
    guest_url: str = ""
    upvotes: int = 0
    downvotes: int = 0


def do_add_imported_comments(*, thread: Thread, comments: list[ImportedComment]) -> list[Comment]:
    """Store many imported comments of one thread in a few statements (one insert per depth of the tree, one
    update for the top-level comments' roots); the stored comments, in the order given. Saves send no signals:
    the caller settles the thread, has them indexed and announces the change (`readers_see_changes`)."""
    made: list[Comment] = []
    parents: dict[int, Comment | None] = {}  # id() of a comment -> its parent (read without Django's descriptor)
    for index, wanted in enumerate(comments):
        if wanted.parent_index is not None and not 0 <= wanted.parent_index < index:
            raise ValueError(f"comment {index}: its parent must come before it")
        parent = made[wanted.parent_index] if wanted.parent_index is not None else wanted.parent
        up, down = max(wanted.upvotes, 0), max(wanted.downvotes, 0)
        author = wanted.author
        made.append(Comment(
            thread=thread,
            depth=parent.depth + 1 if parent else 1,
            author=author,
            guest_name="" if author else (wanted.guest_name or "Anonymous")[:80],
            guest_email="" if author else wanted.guest_email[:254],
            guest_url="" if author else wanted.guest_url[:500],
            body=wanted.body,
            body_html=render_comment(wanted.body),
            status=wanted.status if wanted.status in CommentStatus.values else CommentStatus.PENDING,
            created_at=wanted.created_at,
            imported_upvotes=up,
            imported_downvotes=down,
            upvotes=up,
            downvotes=down,
            score=up - down,
            wilson=wilson_lower_bound(up, down),
        ))
        parents[id(made[-1])] = parent
    with transaction.atomic():
        for depth in sorted({comment.depth for comment in made}):
            level = [comment for comment in made if comment.depth == depth]
            for comment in level:  # parents (a level up) are stored by now: their ids and roots are known
                parent = parents[id(comment)]
                comment.parent_id = parent.pk if parent else None
                comment.root_id = (parent.root_id or parent.pk) if parent else None
            Comment.objects.bulk_create(level, batch_size=500)
            tops = [comment for comment in level if parents[id(comment)] is None]
            if tops:
                Comment.objects.filter(pk__in=[comment.pk for comment in tops]).update(root=F("pk"))
                for comment in tops:
                    comment.root_id = comment.pk
    return made


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
