"""The discussion's JSON API (django-ninja, OpenAPI schema at api/openapi.json): the same actions as the forms."""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser
from ninja.utils import check_csrf

from masthead.articles.models import ArticlePage
from masthead.core.bounds import DatabaseId, InvalidJSON, only_the_path_is_wrong, parse_json
from masthead.core.client_ip import client_ip
from masthead.discussion import guests
from masthead.discussion.actions.comments import check_delete_comment, check_edit_comment, check_post_comment
from masthead.discussion.actions.moderation import check_report_comment
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.actions.votes import check_vote
from masthead.discussion.errors import DiscussionError
from masthead.discussion.interchange import export_threads, import_threads
from masthead.discussion.models import Comment, CommentSort, DiscussionSettings, Thread
from masthead.discussion.permissions import can_moderate
from masthead.discussion.thread_pages import build_thread_page, page_number
from masthead.discussion.viewer import (
    CACHE_SECONDS,
    LOCKED_MESSAGE,
    cache_stamp,
    may_read_discussion,
    require_discussion_access,
    require_discussion_access_to_comment,
)


class StrictJSONParser(Parser):
    """JSON bodies must be UTF-8 JSON nested within reason; anything else is the client's mistake (400), never a
    server error."""

    def parse_body(self, request):
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise DiscussionError(_("The request body is not valid UTF-8.")) from None
        try:
            return parse_json(text) if text else {}
        except InvalidJSON as error:
            raise DiscussionError(f"The request body is not valid JSON: {error}.") from None


api = NinjaAPI(
    title="masthead discussion",
    version="1",
    description=(
        "Threads, comments, votes and reports. Requests signed in with the session cookie must send the CSRF "
        "token in the X-CSRFToken header; guests (when the site allows them) post with name and e-mail."
    ),
    urls_namespace="discussion:discussion_api",  # included under the discussion app's namespace
    parser=StrictJSONParser(),
    docs_url="docs",
)


def answer_errors_plainly(api: NinjaAPI) -> None:
    """Every refusal as {"detail": message} with its status; the annotations API uses the same answers."""

    @api.exception_handler(DiscussionError)
    def discussion_error(request, error: DiscussionError):
        return api.create_response(request, {"detail": error.message}, status=error.status)

    @api.exception_handler(ValidationError)
    def invalid_request(request, error: ValidationError):
        if only_the_path_is_wrong(error.errors):
            return api.create_response(request, {"detail": "Not found."}, status=404)
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem.get('loc', [])[1:]) or 'body'}: {problem.get('msg')}"
            for problem in error.errors
        )
        return api.create_response(request, {"detail": f"Invalid request: {problems}"}, status=400)

    @api.exception_handler(HttpError)
    def http_error(request, error: HttpError):
        # ninja wraps whatever the body parser raised; the parser's own message says more than "Cannot parse".
        cause = error.__cause__
        message = cause.message if isinstance(cause, DiscussionError) else str(error)
        return api.create_response(request, {"detail": message}, status=error.status_code)

    @api.exception_handler(Http404)
    def not_found(request, error):
        return api.create_response(request, {"detail": "Not found."}, status=404)


answer_errors_plainly(api)


def require_csrf(request) -> None:
    """A request carrying the session cookie acts with the reader's authority, so it must prove its origin."""
    carries_authority = settings.SESSION_COOKIE_NAME in request.COOKIES or guests.COOKIE_NAME in request.COOKIES
    if carries_authority and check_csrf(request) is not None:
        raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.")


class CommentOut(Schema):
    id: int
    parent_id: int | None
    depth: int
    author_name: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    score: int
    upvotes: int
    downvotes: int
    status: str
    is_deleted: bool
    is_pinned: bool
    in_reply_to: str = ""
    my_vote: int = 0
    permalink: str
    replies: list["CommentOut"] = []


CommentOut.model_rebuild()


class ThreadOut(Schema):
    article_id: int
    comment_count: int
    is_open: bool
    sort: str
    page: int
    has_next: bool
    comments: list[CommentOut]


class AuthorIn(Schema):
    """Who posts, beside the text: a guest's name and e-mail (ignored for members), the honeypot, and whether to
    follow the replies. Shared by every way of posting a comment (inline feedback's too)."""

    name: str = ""
    email: str = ""
    website: str = ""  # the honeypot: people leave it empty
    subscribe: bool = False


class PostIn(AuthorIn):
    body: str
    parent_id: int | None = None


class VoteIn(Schema):
    value: int


class EditIn(Schema):
    body: str


class ReportIn(Schema):
    reason: str
    note: str = ""


class Message(Schema):
    detail: str


def comment_out(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author_name": "" if comment.is_deleted else comment.author_name,
        "body_html": comment.body_html,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "score": comment.score,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "status": comment.status,
        "is_deleted": comment.is_deleted,
        "is_pinned": comment.is_pinned,
        "in_reply_to": getattr(comment, "in_reply_to", ""),
        "my_vote": getattr(comment, "viewer_vote", 0),
        "permalink": f"/discussion/comment/{comment.pk}/",
        "replies": [comment_out(child) for child in getattr(comment, "children", [])],
    }


def _article(article_id: int) -> ArticlePage:
    """The article, when it is live and public (Wagtail's `public()`: no view restriction on it or an ancestor),
    with its thread (`thread_for` reads it from there)."""
    article = ArticlePage.objects.live().public().select_related("discussion_thread").filter(pk=article_id).first()
    if article is None:
        raise Http404("No such article.")
    return article


@api.get("/threads/{article_id}", response=ThreadOut, summary="A page of a thread's conversations")
def get_thread(request, article_id: DatabaseId, sort: CommentSort = CommentSort.OLDEST, page: int = 1):
    article = _article(article_id)
    if page_number(page) is None:
        raise DiscussionError("page must be a whole number from 1.")
    if not may_read_discussion(request, article):
        raise DiscussionError(LOCKED_MESSAGE, status=403)
    thread = thread_for(article, create=False)
    thread.page = article
    # Signed-out readers share one answer per thread version (see presentation.comments_block).
    key = f"discussion:json:{cache_stamp(thread)}:{sort}:{page}"
    cacheable = thread.pk is not None and not request.user.is_authenticated
    if cacheable and (cached := cache.get(key)) is not None:
        return HttpResponse(cached, content_type="application/json")
    result = build_thread_page(thread, sort=sort, number=page, viewer=request.user)
    data = {
        "article_id": article.pk,
        "comment_count": thread.comment_count,
        "is_open": thread.is_open(DiscussionSettings.current(request)),
        "sort": sort,
        "page": page,
        "has_next": result.has_next,
        "comments": [comment_out(root) for root in result.roots],
    }
    if not cacheable:
        return data
    # Validated against the schema once, then served as stored bytes: re-validating a page of nested
    # comments on every request would cost more than building it.
    body = ThreadOut.model_validate(data).model_dump_json()
    cache.set(key, body, CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


@api.post("/threads/{article_id}/comments", response={201: CommentOut}, summary="Post a comment or a reply")
def post_comment(request, article_id: DatabaseId, payload: PostIn):
    require_csrf(request)
    article = _article(article_id)
    require_discussion_access(request, article)
    comment = check_post_comment(
        page=article,
        user=request.user,
        body=payload.body,
        parent_id=payload.parent_id,
        guest_name=payload.name,
        guest_email=payload.email,
        honeypot=payload.website,
        subscribe=payload.subscribe,
        ip=client_ip(request),
        policy=DiscussionSettings.current(request),
    )
    # Rendered without validating against CommentOut: comment_out builds exactly that shape, and checking it
    # again cost a tenth of the post's time in Python. The schema still documents the answer.
    return api.create_response(request, comment_out(comment), status=201)


@api.post("/comments/{comment_id}/vote", response=CommentOut, summary="Vote +1 or -1; the same vote again withdraws it")
def vote(request, comment_id: DatabaseId, payload: VoteIn, response: HttpResponse):
    require_csrf(request)
    require_discussion_access_to_comment(request, comment_id)  # the answer carries the comment's text
    member = request.user.is_authenticated
    # A guest (when guests may comment) is known by a random id in a signed cookie, given with their first vote.
    raw_guest_id = "" if member else (guests.guest_id(request) or guests.new_guest_id())
    guest_key = guests.key_of(raw_guest_id) if raw_guest_id else ""
    comment = check_vote(
        comment_id=comment_id, user=request.user, value=payload.value, guest_key=guest_key, ip=client_ip(request),
        policy=DiscussionSettings.current(request),
    )
    if not member:
        guests.remember_guest(request, response, raw_guest_id)
        comment.viewer_vote = (
            comment.votes.filter(guest_key=guest_key).values_list("value", flat=True).first() or 0
        )
    return comment_out(comment)


@api.patch("/comments/{comment_id}", response=CommentOut, summary="Edit your comment (within the edit window)")
def edit(request, comment_id: DatabaseId, payload: EditIn):
    require_csrf(request)
    require_discussion_access_to_comment(request, comment_id)
    return comment_out(check_edit_comment(comment_id=comment_id, user=request.user, body=payload.body))


@api.delete("/comments/{comment_id}", response=Message, summary="Delete your comment")
def delete(request, comment_id: DatabaseId):
    require_csrf(request)
    require_discussion_access_to_comment(request, comment_id)
    placeholder = check_delete_comment(comment_id=comment_id, user=request.user)
    return {"detail": "Deleted; kept as a placeholder for its replies." if placeholder else "Deleted."}


@api.post("/comments/{comment_id}/reports", response={201: Message}, summary="Report a comment to the editors")
def report(request, comment_id: DatabaseId, payload: ReportIn):
    require_csrf(request)
    require_discussion_access_to_comment(request, comment_id)
    check_report_comment(
        comment_id=comment_id,
        user=request.user,
        reason=payload.reason,
        note=payload.note,
        ip=client_ip(request),
    )
    return Status(201, {"detail": "Reported; an editor will look at it."})


def _require_moderator(request) -> None:
    if not can_moderate(request.user):
        raise HttpError(403, "Only editors who moderate comments may export or import them.")


@api.get("/export", summary="Export comments (one article's, or the whole site's) as masthead-comments JSON")
def export(request, article_id: DatabaseId | None = None):
    _require_moderator(request)
    threads = Thread.objects.all() if article_id is None else Thread.objects.filter(page_id=article_id)
    return export_threads(threads)


@api.post("/import", response={201: Message}, summary="Import masthead-comments JSON")
def import_comments(request):
    require_csrf(request)
    _require_moderator(request)
    added = import_threads(api.parser.parse_body(request), editor=request.user)
    return Status(201, {"detail": f"Imported {added} comments."})
