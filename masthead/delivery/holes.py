"""Each reader's own parts of a shared page (their CSRF token, the controls and votes of their own comments), and
the mark that keeps a response made for one reader out of shared caches.

Shared HTML (a cached article page, a cached discussion section) is rendered with `core.holes.CSRF_HOLE`
where a form's token goes, and with every comment's controls as a reader who wrote none of the comments and
voted on none would see them. `personalise` fills one reader's parts in; `CsrfHoleMiddleware` fills the token
into any other response that carries the hole.
"""

import re

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from masthead.core.holes import CSRF_HOLE, split_at_holes
from masthead.delivery.edge import READER_COOKIES, is_shareable_request
from masthead.discussion.models import Comment, Vote
from masthead.discussion.viewer import CACHE_SECONDS, ShownComment, ShownComments

_TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def holds_a_real_token(html: str) -> bool:
    """Whether HTML carries a form token that is not the hole: such HTML belongs to one reader and must never be
    shared (a template that asked Django for a token by itself, bypassing the hole)."""
    marker = str(CSRF_HOLE)
    return any(value != marker for value in _TOKEN_FIELD.findall(html))


def token_for(request) -> str:
    """This reader's CSRF token (Django's own, which also sets the cookie if needed); empty on a page the edge
    may share between readers, whose script fetches each reader's own (edge.py)."""
    return "" if is_shareable_request(request) else get_token(request)


def fill_csrf(parts: tuple[str, ...], request) -> str:
    """The parts joined by this reader's CSRF token."""
    return parts[0] if len(parts) == 1 else token_for(request).join(parts)


def viewer_votes(user, shown: ShownComments) -> dict[int, int]:
    """The reader's votes in the thread, cached per thread version (every vote raises the version)."""
    if shown.thread_id is None:
        return {}
    key = f"discussion:votes:{user.pk}:{shown.thread_stamp}"
    votes = cache.get(key)
    if votes is None:
        votes = dict(
            Vote.objects.filter(voter=user, comment__thread_id=shown.thread_id).values_list("comment_id", "value")
        )
        cache.set(key, votes, CACHE_SECONDS)
    return votes


def _actions_html(comment_id: int, meta: ShownComment, vote: int, context: dict) -> str:
    comment = Comment(
        pk=comment_id, author_id=meta.author_id, status=meta.status, is_deleted=meta.is_deleted,
        created_at=meta.created_at, upvotes=meta.upvotes, downvotes=meta.downvotes, score=meta.score,
    )
    comment.viewer_vote = vote
    return render_to_string("discussion/comment_actions.html", {**context, "comment": comment})


def personalise(parts: tuple[str, ...], request, shown: ShownComments | None) -> str:
    """Fill one reader's parts into shared HTML cut at its holes: their CSRF token, and for a member the
    controls of the comments they wrote or voted on (a few at most; everything else is the same for every
    member)."""
    user = request.user
    if shown is not None and shown.comments and user.is_authenticated:
        votes = viewer_votes(user, shown)
        viewer_id = user.pk  # once, not for each of hundreds of comments
        mine = {pk for pk, meta in shown.comments.items() if meta.author_id == viewer_id}
        targets = mine | (votes.keys() & shown.comments.keys())
        if targets:
            context = {
                "viewer": user, "viewer_id": user.pk, "viewer_is_member": True, "is_open": shown.is_open,
                "may_comment": shown.may_comment, "csrf_token": CSRF_HOLE,
            }
            html = str(CSRF_HOLE).join(parts)
            for pk in targets:
                html = _splice(html, pk, _actions_html(pk, shown.comments[pk], votes.get(pk, 0), context))
            parts = split_at_holes(html)
    return fill_csrf(parts, request)


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


class CsrfHoleMiddleware:
    """Fills the CSRF holes left in any response (the discussion's and inline feedback's forms use them even when
    nothing is cached, so that the same templates serve both). Listed after CsrfViewMiddleware, so that the
    token's cookie is still set on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "streaming", False) or not hasattr(response, "content"):
            return response
        marker = str(CSRF_HOLE).encode()
        if marker in response.content:
            response.content = response.content.replace(marker, token_for(request).encode())
        return response


class PrivateResponsesMiddleware:
    """Marks every response that depends on the reader `Cache-Control: private`, so that no cache between the
    site and the reader (a proxy, a CDN, a shared browser cache) keeps one reader's page for another: a signed-in
    reader, a request carrying a reader's cookie, or a response setting one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.cookies
            or any(name in request.COOKIES for name in READER_COOKIES)
            or getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            patch_cache_control(response, private=True)
        return response
