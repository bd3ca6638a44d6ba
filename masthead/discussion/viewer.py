"""What the discussion templates need to know about the reader and the thread, gathered in one place.

A discussion section is rendered either for one reader (their own votes and controls in place), or, when the
page layer asks for it (`RequestState.shares_sections`), once per thread version for every reader of one kind
(signed out, or signed in) and cached: the page layer (masthead.delivery.holes) then fills in each reader's own
parts, using the `ShownComments` this module records for the request.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from masthead.articles.models import ArticlePage
from masthead.core.holes import CSRF_HOLE
from masthead.core.request_state import state_of
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import Comment, CommentSort, DiscussionSettings, WhoMayComment
from masthead.discussion.thread_pages import build_thread_page

# Comments can quote the article, so they belong to readers who may read all of it: the one decision is there.
from masthead.membership.access import may_read_discussion

# Cached thread HTML is keyed by the thread's version, so a write shows at once; the timeout only keeps the
# relative times ("5 minutes ago") from going stale.
CACHE_SECONDS = 60

# A viewer id no comment has: the shared HTML for signed-in readers is rendered for "a member who wrote none of
# these comments and voted on none" (guest comments have no author, so None would match them).
NOBODY = 0

LOCKED_MESSAGE = "Subscribe to read this article in full and join its discussion."


def cache_stamp(thread) -> str:
    """Names one state of a thread: its id, when it was made (ids can be reused) and its version."""
    return f"{thread.pk}:{int(thread.created_at.timestamp())}:{thread.version}"


def require_discussion_access(request, article) -> None:
    """For the write path: refuse a reader who may not read the discussion, with a message that says why."""
    if not may_read_discussion(request, article):
        raise DiscussionError(LOCKED_MESSAGE, status=403)


def require_discussion_access_to_comment(request, comment_id) -> None:
    """Refuse (DiscussionError) a reader who may not read the discussion the comment belongs to."""
    page_id = Comment.objects.filter(pk=comment_id).values_list("thread__page_id", flat=True).first()
    if page_id is None:
        return  # no such comment: the action says so
    article = ArticlePage.objects.live().public().filter(pk=page_id).first()
    if article is None:
        # A comment under a draft, an unpublished or a view-restricted article: as if it did not exist, before
        # anything about it is read or written.
        raise DiscussionError("No such comment.", status=404)
    require_discussion_access(request, article)


def viewer_context(request, thread, *, shared: bool = False) -> dict:
    """The reader's side of the discussion templates; `shared` renders it for every reader of the same kind
    (no own comments), to be cached and personalised per request. The CSRF token is always a hole, filled per
    response by the page layer, so that HTML holding these forms can be cached."""
    policy = DiscussionSettings.current(request)
    user = request.user
    member = user.is_authenticated
    is_open = thread.is_open(policy)
    return {
        "thread": thread,
        "policy": policy,
        "is_open": is_open,
        "viewer": user,
        "viewer_id": (NOBODY if shared else user.pk) if member else None,
        "viewer_is_member": member,
        "may_comment": is_open and (member or policy.who_may_comment == WhoMayComment.EVERYONE),
        "guest_form": not member and policy.who_may_comment == WhoMayComment.EVERYONE,
        "csrf_token": CSRF_HOLE,
    }


@dataclass(frozen=True)
class ShownComment:
    """What a comment's controls depend on, for filling one reader's controls into shared HTML."""

    author_id: int | None
    status: str
    is_deleted: bool
    created_at: datetime
    upvotes: int
    downvotes: int
    score: int


@dataclass
class ShownComments:
    """The comments a shared discussion section shows, and what their controls need."""

    thread_id: int | None
    thread_stamp: str
    is_open: bool
    may_comment: bool
    comments: dict[int, ShownComment] = field(default_factory=dict)


def _shown(page) -> dict[int, ShownComment]:
    shown = {}

    def walk(comments):
        for comment in comments:
            shown[comment.pk] = ShownComment(
                author_id=comment.author_id, status=comment.status, is_deleted=comment.is_deleted,
                created_at=comment.created_at, upvotes=comment.upvotes, downvotes=comment.downvotes,
                score=comment.score,
            )
            walk(getattr(comment, "children", []))

    walk(page.roots)
    walk(page.pinned)
    return shown


def comments_block(request, article, context: dict, *, sort: str, number: int, shared: bool):
    """The rendered conversations of one page, whether there were any, whether more pages follow (some
    conversations are not shown), and the comments shown.

    Shared HTML (`shared`) is the same for every reader of one kind (signed out, signed in) and cached per
    thread version; otherwise it is rendered for this reader, their votes and controls in place.
    """
    thread = context["thread"]
    cacheable = shared and thread.pk is not None
    key = (
        f"discussion:block:v2:{cache_stamp(thread) if cacheable else ''}:{sort}:{number}:"
        f"{int(context['viewer_is_member'])}:{int(context['may_comment'])}:{int(context['is_open'])}"
    )
    if cacheable:
        cached = cache.get(key)
        if cached is not None:
            return mark_safe(cached[0]), cached[1], cached[2], cached[3]  # noqa: S308 - rendered below
    viewer = None if shared else request.user
    page = build_thread_page(thread, sort=sort, number=number, viewer=viewer)
    html = render_to_string("discussion/comments_block.html", {**context, "article": article, "page": page})
    shown = ShownComments(
        thread_id=thread.pk,
        thread_stamp=cache_stamp(thread) if thread.pk is not None else "",
        is_open=context["is_open"],
        may_comment=context["may_comment"],
        comments=_shown(page),
    )
    if cacheable:
        cache.set(key, (html, bool(page.roots), page.has_next, shown), CACHE_SECONDS)
    return mark_safe(html), bool(page.roots), page.has_next, shown  # noqa: S308


def section_context(request, article, *, sort: str, number: int = 1) -> dict:
    """The discussion section's context: shared HTML when the page layer personalises the response
    (`RequestState.shares_sections`), this reader's own otherwise."""
    state = state_of(request)
    shared = state.shares_sections
    thread = thread_for(article, create=False)
    thread.page = article
    context = viewer_context(request, thread, shared=shared)
    base = {**context, "article": article, "sort": sort, "number": number, "sorts": CommentSort.choices}
    if not may_read_discussion(request, article):
        # The count only: the comments (which can quote gated text) and the forms stay out of the response.
        state.shown_comments = None
        return {**base, "locked": True, "comments_html": "", "has_comments": False, "has_more": False,
                "may_comment": False,
                "locked_message": LOCKED_MESSAGE, "next_url": article.url}
    html, has_comments, has_more, shown = comments_block(
        request, article, context, sort=sort, number=number, shared=shared
    )
    state.shown_comments = shown if shared else None
    notice = request.session.pop("discussion_notice", "") if request.session.get("discussion_notice") else ""
    if notice:
        state.one_off = True  # the notice is for this reader once, never for a cached page
    return {**base, "locked": False, "comments_html": html, "has_comments": has_comments, "has_more": has_more,
            "notice": notice}
