"""The read side of a thread: a page of conversations with their replies as a tree, in a fixed number of queries."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from masthead.discussion.models import Comment, CommentSort, Thread, Vote

SORT_COOKIE = "discussion_sort"


def chosen_sort(request) -> str:
    """The sort in the URL, else the one the reader chose last time (a cookie), else oldest first."""
    for candidate in (request.GET.get("sort"), request.COOKIES.get(SORT_COOKIE)):
        if candidate in CommentSort.values:
            return candidate
    return CommentSort.OLDEST


def page_number(raw) -> int | None:
    try:
        number = 1 if raw in (None, "") else int(raw)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 1_000_000 else None


@dataclass
class ThreadPage:
    thread: Thread
    sort: str
    number: int
    roots: list[Comment]
    has_next: bool
    pinned: list[Comment] = field(default_factory=list)
    votes: dict[int, int] = field(default_factory=dict)

    @property
    def next_number(self) -> int:
        return self.number + 1


def _visible_comments(thread: Thread):
    # The passage an inline comment is about (masthead.annotations) comes in the same query, or None.
    return Comment.objects.visible().filter(thread=thread).for_display().select_related("inline_anchor")


def build_thread_page(
    thread: Thread, *, sort: str, number: int = 1, viewer=None, inline_only: bool = False
) -> ThreadPage:
    """A page of conversations; `inline_only` keeps those that start with a comment on a passage."""
    if thread.pk is None:
        return ThreadPage(thread=thread, sort=sort, number=number, roots=[], has_next=False)
    size = settings.MASTHEAD_DISCUSSION_PAGE_SIZE
    offset = (number - 1) * size
    top_level = _visible_comments(thread).top_level()
    if inline_only:
        top_level = top_level.filter(inline_anchor__isnull=False)
    roots = list(top_level.sorted_by(sort)[offset : offset + size + 1])
    has_next = len(roots) > size
    roots = roots[:size]
    replies = list(
        _visible_comments(thread)
        .filter(root_id__in=[root.pk for root in roots], parent__isnull=False)
        .order_by("created_at", "pk")
    )
    _arrange(roots, replies)
    pinned = list(_visible_comments(thread).filter(is_pinned=True, is_deleted=False).order_by("created_at")[:5])
    votes = {}
    if viewer is not None and viewer.is_authenticated:
        shown = [root.pk for root in roots] + [reply.pk for reply in replies] + [pin.pk for pin in pinned]
        votes = dict(Vote.objects.filter(voter=viewer, comment_id__in=shown).values_list("comment_id", "value"))
    for comment in [*roots, *replies, *pinned]:
        comment.viewer_vote = votes.get(comment.pk, 0)
    return ThreadPage(thread=thread, sort=sort, number=number, roots=roots, has_next=has_next, pinned=pinned,
                      votes=votes)


def _arrange(roots: list[Comment], replies: list[Comment]) -> None:
    """Hang each reply under its parent; deeper than the display depth, flat beside its ancestor at that depth."""
    max_depth = settings.MASTHEAD_DISCUSSION_MAX_DEPTH
    by_id = {comment.pk: comment for comment in roots}
    for comment in [*roots, *replies]:
        comment.children = []
        comment.in_reply_to = ""
    for reply in replies:  # oldest first, so a parent is always placed before its replies
        by_id[reply.pk] = reply
        parent = by_id.get(reply.parent_id)
        if parent is None:
            continue  # its parent was withdrawn from view; the conversation below it goes with it
        holder = parent
        while holder.depth > max_depth - 1 and holder.parent_id in by_id:
            holder = by_id[holder.parent_id]
        if holder is not parent:
            reply.in_reply_to = parent.author_name if not parent.is_deleted else "a deleted comment"
        reply.display_depth = min(reply.depth, max_depth)
        holder.children.append(reply)
    for root in roots:
        root.display_depth = 1
    # A deleted comment stays only as the placeholder that keeps its replies in place.
    for comment in by_id.values():
        comment.children = [child for child in comment.children if not (child.is_deleted and not child.children)]
    roots[:] = [root for root in roots if not (root.is_deleted and not root.children)]


def _before(comment: Comment, sort: str) -> Q:
    """Top-level comments that come before `comment` in the given sort order."""
    at, pk = comment.created_at, comment.pk
    if sort == CommentSort.NEWEST:
        return Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk)
    if sort == CommentSort.MOST_VOTED:
        wilson, score = comment.wilson, comment.score
        return (
            Q(wilson__gt=wilson)
            | Q(wilson=wilson, score__gt=score)
            | Q(wilson=wilson, score=score, created_at__lt=at)
            | Q(wilson=wilson, score=score, created_at=at, pk__lt=pk)
        )
    return Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk)


def page_of_comment(comment: Comment, sort: str) -> int:
    """Which page of the thread, in the given sort, holds the conversation the comment belongs to."""
    root = comment if comment.root_id in (None, comment.pk) else Comment.objects.get(pk=comment.root_id)
    ahead = Comment.objects.visible().filter(thread=comment.thread_id).top_level().filter(_before(root, sort)).count()
    return ahead // settings.MASTHEAD_DISCUSSION_PAGE_SIZE + 1
