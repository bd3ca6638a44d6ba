"""Reader views of inline feedback: the form post that works without JavaScript, the inline-only thread, the
comments of one passage (the panel beside the text) and the W3C Web Annotation export."""

import json

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.utils.translation import gettext as _

from masthead.annotations.access import can_see_passages
from masthead.annotations.actions import check_post_inline_comment
from masthead.annotations.display import web_annotation_collection
from masthead.annotations.models import InlineAnchor
from masthead.articles.models import ArticlePage
from masthead.core.i18n import use_language
from masthead.core.client_ip import client_ip
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import CommentSort
from masthead.discussion.thread_pages import build_thread_page, chosen_sort, page_number
from masthead.discussion.viewer import viewer_context
from masthead.discussion.views import NOTICE_SESSION_KEY, article_anchor_url, refuse, strict_form
from masthead.membership.access import visibility_for_request

JSON_LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def live_article(page_id: int) -> ArticlePage:
    """The live article the request is about; the rest of the response speaks its language (core.i18n)."""
    article = get_object_or_404(ArticlePage.objects.live().public(), pk=page_id)
    use_language(article.language)
    return article


def _whole_number(raw):
    """A form's offset as an int; anything else is passed on for anchoring.py to refuse with its message."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return raw


@require_POST
def post_inline_comment(request, page_id: int):
    """The composer's plain form post: the same check as the API, then back to the article."""
    article = live_article(page_id)
    back = article_anchor_url(article, "discussion")
    try:
        form = strict_form(request)
        anchor = check_post_inline_comment(
            page=article,
            user=request.user,
            body=form.get("body"),
            visibility=visibility_for_request(request, article),
            block_id=form.get("block_id"),
            start=_whole_number(form.get("start")),
            end=_whole_number(form.get("end")),
            exact=form.get("exact"),
            prefix=form.get("prefix", ""),
            suffix=form.get("suffix", ""),
            end_block_id=form.get("end_block_id") or None,
            feedback_point_id=form.get("feedback_point_id") or None,
            guest_name=form.get("name", ""),
            guest_email=form.get("email", ""),
            honeypot=form.get("website", ""),
            subscribe=form.get("subscribe") == "on",
            ip=client_ip(request),
        )
    except DiscussionError as error:
        return refuse(request, error, back=back)
    if anchor.comment.status != "approved":
        message = _("Thank you: your comment will appear once an editor has approved it.")
        request.session[NOTICE_SESSION_KEY] = message
        return HttpResponseRedirect(back, status=303)
    return HttpResponseRedirect(reverse("discussion:permalink", args=[anchor.comment_id]), status=303)


@require_GET
def inline_thread(request, page_id: int):
    """The discussion filtered to inline feedback: each comment with the passage it is about."""
    article = live_article(page_id)
    number = page_number(request.GET.get("page"))
    if number is None:
        raise Http404("No such page of comments.")
    sort = chosen_sort(request)
    thread = thread_for(article, create=False)
    thread.page = article
    locked = not can_see_passages(request, article)
    # Comments on passages quote the article: a reader who may not read all of it gets the count only.
    page = None if locked else build_thread_page(
        thread, sort=sort, number=number, viewer=request.user, inline_only=True
    )
    context = {
        **viewer_context(request, thread),
        "article": article,
        "page": page,
        "locked": locked,
        "sort": sort,
        "sorts": CommentSort.choices,
        "number": number,
    }
    return render(request, "annotations/inline_thread.html", context, status=403 if locked else 200)


@require_GET
def article_redirect(request, page_id: int):
    """An article by its id (the quoted-passage links in comments rendered away from the article)."""
    return HttpResponseRedirect(live_article(page_id).url)


@require_GET
def passage_comments(request, page_id: int, anchor_id: int):
    """The comments on one highlighted passage: the panel the script opens beside (or below) the text."""
    article = live_article(page_id)
    if not can_see_passages(request, article):
        raise Http404("No such passage.")
    anchor = get_object_or_404(
        InlineAnchor.objects.filter(article=article).shown_to_readers().attached(), pk=anchor_id
    )
    anchors = (
        InlineAnchor.objects.filter(
            article=article,
            resolved_block_id=anchor.resolved_block_id,
            resolved_start=anchor.resolved_start,
            resolved_end=anchor.resolved_end,
        )
        .shown_to_readers()
        .attached()
        .select_related("comment__author", "feedback_point")
        .order_by("comment__created_at", "pk")
    )
    thread = thread_for(article, create=False)
    thread.page = article
    context = {**viewer_context(request, thread), "article": article, "anchor": anchor, "anchors": anchors}
    return render(request, "annotations/passage_comments.html", context)


@require_GET
def export(request, page_id: int):
    """The article's inline comments as W3C Web Annotation JSON-LD, for readers who may read all of it."""
    article = live_article(page_id)
    if not can_see_passages(request, article):
        body = {"detail": "The annotations quote the article; they are for readers who may read all of it."}
        return HttpResponse(json.dumps(body), status=403, content_type="application/json")
    collection = web_annotation_collection(article)
    return HttpResponse(json.dumps(collection, ensure_ascii=False, indent=2), content_type=JSON_LD)
