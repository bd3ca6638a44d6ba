"""Template tags of inline feedback: the article page's passages and composer, and a comment's quoted passage."""

from django import template
from django.urls import reverse

from masthead.annotations.display import article_passages
from masthead.annotations.models import FeedbackPoint, InlineAnchor
from masthead.core.request_state import state_of
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.viewer import viewer_context
from masthead.membership.access import Visibility

register = template.Library()


@register.inclusion_tag("annotations/article_feedback.html", takes_context=True)
def inline_feedback(context):
    """Highlights, markers and the composer for the article page, for a reader who may read all of it.

    The body HTML is cached per access class and knows nothing of comments; the passages come beside it as
    data, positioned by block id and offsets that the server resolved (never recomputed in the browser).
    """
    article, reading, request = context["page"], context["reading"], context["request"]
    if reading.visibility != Visibility.ALL:
        return {"shown": False}
    thread = thread_for(article, create=False)
    thread.page = article
    groups, orphaned = article_passages(article)
    points = list(FeedbackPoint.objects.filter(article=article, is_open=True).exclude(state="orphaned"))
    data = {
        "article": article.pk,
        "revision": article.live_revision_id,
        "api": reverse("annotations:annotations_api:post_inline_comment", args=[article.pk]),
        "passageUrl": reverse("annotations:passage", args=[article.pk, 0]),
        "passages": [group.as_json() for group in groups],
        "points": [
            {"id": point.pk, "question": point.question, "block": point.resolved_block_id,
             "start": point.resolved_start, "end": point.resolved_end}
            for point in points
        ],
    }
    return {
        # Shared when the page layer caches the page per kind of reader (the CSRF token filled in per response).
        **viewer_context(request, thread, shared=state_of(request).shares_sections),
        "shown": True,
        "article": article,
        "data": data,
        "points": points,
        "inline_count": sum(group.count for group in groups),
        "orphaned": orphaned,
    }


@register.inclusion_tag("annotations/comment_passage.html", takes_context=True)
def comment_passage(context, comment):
    """The passage an inline comment is about, above its text; nothing for other comments.

    Comments are rendered only for readers who may read the whole article (the discussion's gate, the same
    rule as access.can_see_passages), and their HTML is shared by every such reader: no per-reader decision
    may be made here.
    """
    try:
        anchor = comment.inline_anchor  # loaded with the thread's comments (discussion.thread_pages)
    except InlineAnchor.DoesNotExist:
        return {"anchor": None}
    return {"anchor": anchor, "article_url": anchor_article_url(context, anchor)}


def anchor_article_url(context, anchor) -> str:
    article = context.get("article")
    if article is not None and article.pk == anchor.article_id:
        return article.url
    return reverse("annotations:article", args=[anchor.article_id])
