"""The inline-feedback JSON API (django-ninja, docs at /annotations/api/docs), in the style of discussion/api.py.

Posting needs the CSRF token of a signed-in session, like every discussion write; reading passages needs the
right to read the whole article (access.py).
"""

from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Schema, Status

from masthead.annotations.access import can_see_passages
from masthead.annotations.actions import check_post_inline_comment
from masthead.annotations.display import passage_groups
from masthead.articles.models import ArticlePage
from masthead.core.bounds import DatabaseId
from masthead.core.client_ip import client_ip
from masthead.discussion.api import (
    AuthorIn,
    StrictJSONParser,
    answer_errors_plainly,
    comment_out,
    require_csrf,
)
from masthead.discussion.errors import DiscussionError
from masthead.membership.access import visibility_for_request

api = NinjaAPI(
    title="masthead inline feedback",
    version="1",
    description=(
        "Comments on a passage of an article. Selectors follow the W3C Web Annotation model over one block's "
        "plain text (see masthead/annotations/anchoring.py). A selection across two blocks is refused, not "
        "split. Requests signed in with the session cookie must send the CSRF token in the X-CSRFToken "
        "header."
    ),
    urls_namespace="annotations:annotations_api",
    parser=StrictJSONParser(),
    docs_url="docs",
)


answer_errors_plainly(api)


class InlineCommentIn(AuthorIn):
    body: str
    block_id: str = ""
    start: int = 0
    end: int = 0
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    # Where the selection ended, when the reader's browser saw it end in another block (then it is refused).
    end_block_id: str | None = None
    # Answering an editor's question instead of a selection: the question's passage is used.
    feedback_point_id: int | None = None


class AnchorOut(Schema):
    id: int
    state: str
    confidence: float
    block_id: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    feedback_point_id: int | None
    created_on_revision: int | None
    resolved_on_revision: int | None


class InlineCommentOut(Schema):
    comment: dict
    anchor: AnchorOut
    visible: bool


class PassageOut(Schema):
    id: int
    block: str
    start: int
    end: int
    quote: str
    count: int
    anchors: list[int]


def anchor_out(anchor) -> dict:
    return {
        "id": anchor.pk,
        "state": anchor.state,
        "confidence": anchor.confidence,
        "block_id": anchor.resolved_block_id,
        "start": anchor.resolved_start,
        "end": anchor.resolved_end,
        "exact": anchor.resolved_exact,
        "prefix": anchor.resolved_prefix,
        "suffix": anchor.resolved_suffix,
        "feedback_point_id": anchor.feedback_point_id,
        "created_on_revision": anchor.revision_id,
        "resolved_on_revision": anchor.resolved_revision_id,
    }


def _article(article_id: int) -> ArticlePage:
    return get_object_or_404(ArticlePage.objects.live().public(), pk=article_id)


@api.post("/articles/{article_id}/inline-comments", response={201: InlineCommentOut},
          summary="Comment on a passage (or answer an editor's question)")
def post_inline_comment(request, article_id: DatabaseId, payload: InlineCommentIn):
    require_csrf(request)
    article = _article(article_id)
    anchor = check_post_inline_comment(
        page=article,
        user=request.user,
        body=payload.body,
        visibility=visibility_for_request(request, article),
        block_id=payload.block_id,
        start=payload.start,
        end=payload.end,
        exact=payload.exact,
        prefix=payload.prefix,
        suffix=payload.suffix,
        end_block_id=payload.end_block_id,
        feedback_point_id=payload.feedback_point_id,
        guest_name=payload.name,
        guest_email=payload.email,
        honeypot=payload.website,
        subscribe=payload.subscribe,
        ip=client_ip(request),
    )
    comment = anchor.comment
    visible = comment.status == "approved" and not comment.is_deleted
    return Status(201, {"comment": comment_out(comment), "anchor": anchor_out(anchor), "visible": visible})


@api.get("/articles/{article_id}/passages", response=list[PassageOut],
         summary="The article's highlighted passages, as the server last resolved them")
def passages(request, article_id: DatabaseId):
    article = _article(article_id)
    if not can_see_passages(request, article):
        raise DiscussionError(
            "Passages are shown only to readers who may read the whole article.", status=403
        )
    return [group.as_json() for group in passage_groups(article)]
