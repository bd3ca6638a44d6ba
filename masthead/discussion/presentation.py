"""What the discussion templates need to know about the reader and the thread, gathered in one place.

The conversations of a page are rendered once per thread version for every reader of one kind (signed out,
or signed in) and cached; what belongs to one reader (the CSRF token, their own votes, the controls on their
own comments) is filled into that shared HTML per request by `personalise`.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from masthead.core.holes import CSRF_HOLE, fill_holes, mark_filled, split_at_holes
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import Comment, CommentSort, DiscussionSettings, Vote, WhoMayComment
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


def viewer_context(request, thread, *, shared: bool = False) -> dict:
    """The reader's side of the discussion templates; `shared` renders it for every reader of the same kind
    (no own comments), to be cached and personalised per request. The CSRF token is always a hole, filled per
    response (core.holes), so that HTML holding these forms can be cached."""
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


@dataclass
class Holes:
    """What `personalise` needs to fill one reader's parts into shared discussion HTML."""

    thread_id: int | None
    thread_stamp: str
    is_open: bool
    may_comment: bool
    # comment id -> (author id, status, deleted, created_at, up, down, score) of every comment shown
    shown: dict[int, tuple] = field(default_factory=dict)


def _shown(page) -> dict[int, tuple]:
    shown = {}

    def walk(comments):
        for comment in comments:
            shown[comment.pk] = (
                comment.author_id, comment.status, comment.is_deleted, comment.created_at,
                comment.upvotes, comment.downvotes, comment.score,
            )
            walk(getattr(comment, "children", []))

    walk(page.roots)
    walk(page.pinned)
    return shown


def comments_block(request, article, context: dict, *, sort: str, number: int) -> tuple[str, bool, Holes]:
    """The rendered conversations of one page (shared HTML, with holes), whether there were any, and the holes.

    Readers of one kind (signed out, signed in) all get the same HTML, cached per thread version.
    """
    thread = context["thread"]
    cacheable = thread.pk is not None
    key = (
        f"discussion:block:{cache_stamp(thread) if cacheable else ''}:{sort}:{number}:"
        f"{int(context['viewer_is_member'])}:{int(context['may_comment'])}:{int(context['is_open'])}"
    )
    if cacheable:
        cached = cache.get(key)
        if cached is not None:
            return mark_safe(cached[0]), cached[1], cached[2]  # noqa: S308 - rendered below
    page = build_thread_page(thread, sort=sort, number=number)
    html = render_to_string("discussion/comments_block.html", {**context, "article": article, "page": page})
    holes = Holes(
        thread_id=thread.pk,
        thread_stamp=cache_stamp(thread) if cacheable else "",
        is_open=context["is_open"],
        may_comment=context["may_comment"],
        shown=_shown(page),
    )
    if cacheable:
        cache.set(key, (html, bool(page.roots), holes), CACHE_SECONDS)
    return mark_safe(html), bool(page.roots), holes  # noqa: S308


def section_context(request, article, *, sort: str, number: int = 1) -> dict:
    """The discussion section as shared HTML; the response it ends up in goes through `personalise`."""
    thread = thread_for(article, create=False)
    thread.page = article
    context = viewer_context(request, thread, shared=True)
    base = {**context, "article": article, "sort": sort, "number": number, "sorts": CommentSort.choices}
    if not may_read_discussion(request, article):
        # The count only: the comments (which can quote gated text) and the forms stay out of the response.
        request._masthead_discussion_holes = None
        return {**base, "locked": True, "comments_html": "", "has_comments": False, "may_comment": False,
                "locked_message": LOCKED_MESSAGE, "next_url": article.url}
    html, has_comments, holes = comments_block(request, article, context, sort=sort, number=number)
    request._masthead_discussion_holes = holes
    notice = request.session.pop("discussion_notice", "") if request.session.get("discussion_notice") else ""
    if notice:
        request._masthead_uncacheable = True  # the notice is for this reader once, never for a cached page
    return {**base, "locked": False, "comments_html": html, "has_comments": has_comments, "notice": notice}


def viewer_votes(user, holes: Holes) -> dict[int, int]:
    """The reader's votes in the thread, cached per thread version (every vote raises the version)."""
    if holes.thread_id is None:
        return {}
    key = f"discussion:votes:{user.pk}:{holes.thread_stamp}"
    votes = cache.get(key)
    if votes is None:
        votes = dict(
            Vote.objects.filter(voter=user, comment__thread_id=holes.thread_id).values_list("comment_id", "value")
        )
        cache.set(key, votes, CACHE_SECONDS)
    return votes


def _actions_html(comment_id: int, meta: tuple, vote: int, context: dict) -> str:
    author_id, status, is_deleted, created_at, up, down, score = meta
    comment = Comment(
        pk=comment_id, author_id=author_id, status=status, is_deleted=is_deleted, created_at=created_at,
        upvotes=up, downvotes=down, score=score,
    )
    comment.viewer_vote = vote
    return render_to_string("discussion/comment_actions.html", {**context, "comment": comment})


def personalise(parts: tuple[str, ...], request, holes: Holes | None) -> str:
    """Fill one reader's parts into shared HTML, cut at its holes by core.holes.split_at_holes: their CSRF
    token, and for a member the controls of the comments they wrote or voted on (a few at most; everything
    else is the same for every member)."""
    user = request.user
    if holes is not None and holes.shown and user.is_authenticated:
        votes = viewer_votes(user, holes)
        viewer_id = user.pk  # once, not for each of hundreds of comments
        mine = {pk for pk, meta in holes.shown.items() if meta[0] == viewer_id}
        targets = mine | (votes.keys() & holes.shown.keys())
        if targets:
            context = {
                "viewer": user, "viewer_id": user.pk, "viewer_is_member": True, "is_open": holes.is_open,
                "may_comment": holes.may_comment, "csrf_token": CSRF_HOLE,
            }
            html = str(CSRF_HOLE).join(parts)
            for pk in targets:
                html = _splice(html, pk, _actions_html(pk, holes.shown[pk], votes.get(pk, 0), context))
            parts = split_at_holes(html)
    return fill_holes(parts, request)


def _splice(html: str, comment_id: int, actions: str) -> str:
    start_marker, end_marker = f"<!--actions:{comment_id}-->", f"<!--/actions:{comment_id}-->"
    position = 0
    while (start := html.find(start_marker, position)) != -1:  # a pinned comment is shown twice
        end = html.find(end_marker, start)
        if end == -1:
            break
        html = html[: start + len(start_marker)] + actions + html[end:]
        position = start + len(start_marker) + len(actions) + len(end_marker)
    return html


def finish(response, request):
    """Personalise a rendered response that holds the shared discussion section."""
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    holes = getattr(request, "_masthead_discussion_holes", None)
    content = response.content.decode(response.charset)
    response.content = personalise(split_at_holes(content), request, holes).encode(response.charset)
    return mark_filled(response)
