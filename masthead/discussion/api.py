"""The discussion's JSON API (django-ninja, OpenAPI schema at api/openapi.json): the same actions as the forms."""

import json
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser
from ninja.utils import check_csrf
from wagtail.models import Page, PageViewRestriction

from masthead.articles.models import ArticlePage
from masthead.core.stamps import StampedMemo, read_stamps_and_thread
from masthead.core.time import from_raw_sql
from masthead.discussion import actions
from masthead.discussion.errors import DiscussionError
from masthead.discussion.interchange import export_threads, import_threads
from masthead.discussion.models import Comment, CommentSort, DiscussionSettings, Thread
from masthead.discussion.presentation import (
    CACHE_SECONDS,
    LOCKED_MESSAGE,
    cache_stamp,
    may_read_discussion,
    require_discussion_access,
)
from masthead.discussion.thread_pages import build_thread_page, page_number


class StrictJSONParser(Parser):
    """JSON bodies must be UTF-8 JSON; anything else is the client's mistake (400), never a server error."""

    def parse_body(self, request):
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise DiscussionError("The request body is not valid UTF-8.") from None
        try:
            return json.loads(text) if text else {}
        except json.JSONDecodeError as error:
            raise DiscussionError(f"The request body is not valid JSON: {error.msg}.") from None


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
    if settings.SESSION_COOKIE_NAME in request.COOKIES and check_csrf(request) is not None:
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


# What the API reads of the article: what the gate (membership.access) and the thread's closing date need, and
# Wagtail's own bookkeeping of a loaded page. Any other field loads when asked for.
ARTICLE_FIELDS = [
    field
    for field in ArticlePage._meta.concrete_fields
    if field.attname in {
        "id", "content_type_id", "path", "depth", "url_path", "slug", "title", "live", "first_published_at",
        "last_published_at", "locale_id", "page_ptr_id", "access_level",
    }
]
# The article's fields by its id, kept in each process under the content stamp, which every change to a page, a
# view restriction or a site replaces.
_articles = StampedMemo()


def _article(request, article_id: int) -> ArticlePage:
    """The live, public article, with its thread attached for `actions.thread_for`.

    One query, for the cache stamps and the thread's row (which the gate and the rules need anyway): the
    article itself comes from this process's memory while the content stamp is unchanged.
    """
    if not 0 < article_id < 2**63:  # no page has it, and the databases' integers hold no more
        raise Http404("No such article.")
    stamps, thread_row = read_stamps_and_thread(article_id, getattr(request, "session", None))
    request._masthead_stamps = stamps
    if stamps is None:  # no stamps row (a database emptied by a test): nothing can be kept
        values = _public_article_values(article_id)
    else:
        values = _articles.get(stamps.content, article_id, partial(_public_article_values, article_id))
    if values is None:
        raise Http404("No such article.")
    article = ArticlePage.from_db(connection.alias, [field.attname for field in ARTICLE_FIELDS], values)
    thread_pk, created_at, version, is_closed, comment_count = thread_row or (None,) * 5
    if thread_pk is not None:  # otherwise `actions.thread_for` finds or makes it
        article._discussion_thread = Thread(
            pk=thread_pk,
            page=article,
            is_closed=bool(is_closed),
            comment_count=comment_count,
            version=version,
            created_at=from_raw_sql(created_at),
        )
    return article


def _public_article_values(article_id: int) -> tuple | None:
    """The ARTICLE_FIELDS of the article when it is live and public, as Wagtail's `public()` decides (no view
    restriction on the page or an ancestor); None otherwise.

    Raw SQL: the ORM's version of this query cost more to compile than the database took to answer it.
    """
    quote = connection.ops.quote_name
    page, article, restriction = (quote(model._meta.db_table) for model in (Page, ArticlePage, PageViewRestriction))
    columns = ", ".join(
        f"{'p' if field.model is Page else 'a'}.{quote(field.column)}" for field in ARTICLE_FIELDS
    )
    found = ArticlePage.objects.raw(
        f"""SELECT {columns}
            FROM {page} p JOIN {article} a ON a.page_ptr_id = p.id
            WHERE p.id = %s AND p.live = %s AND NOT EXISTS (
                SELECT 1 FROM {restriction} r JOIN {page} rp ON rp.id = r.page_id
                WHERE SUBSTR(p.path, 1, LENGTH(rp.path)) = rp.path)""",  # noqa: S608 (names from the models)
        [article_id, True],
    )
    article = next(iter(found), None)
    return None if article is None else tuple(getattr(article, field.attname) for field in ARTICLE_FIELDS)


@api.get("/threads/{article_id}", response=ThreadOut, summary="A page of a thread's conversations")
def get_thread(request, article_id: int, sort: CommentSort = CommentSort.OLDEST, page: int = 1):
    article = _article(request, article_id)
    if page_number(page) is None:
        raise DiscussionError("page must be a whole number from 1.")
    if not may_read_discussion(request, article):
        raise DiscussionError(LOCKED_MESSAGE, status=403)
    thread = actions.thread_for(article, create=False)
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
def post_comment(request, article_id: int, payload: PostIn):
    require_csrf(request)
    article = _article(request, article_id)
    require_discussion_access(request, article)
    comment = actions.check_post_comment(
        page=article,
        user=request.user,
        body=payload.body,
        parent_id=payload.parent_id,
        guest_name=payload.name,
        guest_email=payload.email,
        honeypot=payload.website,
        subscribe=payload.subscribe,
        ip=request.META.get("REMOTE_ADDR", ""),
        policy=DiscussionSettings.current(request),
    )
    # Rendered without validating against CommentOut: comment_out builds exactly that shape, and checking it
    # again cost a tenth of the post's time in Python. The schema still documents the answer.
    return api.create_response(request, comment_out(comment), status=201)


@api.post("/comments/{comment_id}/vote", response=CommentOut, summary="Vote +1 or -1; the same vote again withdraws it")
def vote(request, comment_id: int, payload: VoteIn):
    require_csrf(request)
    from masthead.discussion.views import require_discussion_access_to_comment

    require_discussion_access_to_comment(request, comment_id)  # the answer carries the comment's text
    comment = actions.check_vote(comment_id=comment_id, user=request.user, value=payload.value)
    return comment_out(comment)


@api.patch("/comments/{comment_id}", response=CommentOut, summary="Edit your comment (within the edit window)")
def edit(request, comment_id: int, payload: EditIn):
    require_csrf(request)
    return comment_out(actions.check_edit_comment(comment_id=comment_id, user=request.user, body=payload.body))


@api.delete("/comments/{comment_id}", response=Message, summary="Delete your comment")
def delete(request, comment_id: int):
    require_csrf(request)
    placeholder = actions.check_delete_comment(comment_id=comment_id, user=request.user)
    return {"detail": "Deleted; kept as a placeholder for its replies." if placeholder else "Deleted."}


@api.post("/comments/{comment_id}/reports", response={201: Message}, summary="Report a comment to the editors")
def report(request, comment_id: int, payload: ReportIn):
    require_csrf(request)
    actions.check_report_comment(
        comment_id=comment_id,
        user=request.user,
        reason=payload.reason,
        note=payload.note,
        ip=request.META.get("REMOTE_ADDR", ""),
    )
    return Status(201, {"detail": "Reported; an editor will look at it."})


def _require_moderator(request) -> None:
    if not actions.can_moderate(request.user):
        raise HttpError(403, "Only editors who moderate comments may export or import them.")


@api.get("/export", summary="Export comments (one article's, or the whole site's) as masthead-comments JSON")
def export(request, article_id: int | None = None):
    _require_moderator(request)
    threads = Thread.objects.all() if article_id is None else Thread.objects.filter(page_id=article_id)
    return export_threads(threads)


@api.post("/import", response={201: Message}, summary="Import masthead-comments JSON")
def import_comments(request):
    require_csrf(request)
    _require_moderator(request)
    added = import_threads(api.parser.parse_body(request), editor=request.user)
    return Status(201, {"detail": f"Imported {added} comments."})
