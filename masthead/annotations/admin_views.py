"""Admin pages of inline feedback: the inline comments that lost their passage, and placing a feedback point by
selecting words in the article's published text."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from masthead.annotations.actions import check_add_feedback_point, published_block_texts
from masthead.annotations.anchoring import AnchoringError
from masthead.annotations.models import FeedbackPoint, InlineAnchor
from masthead.articles.models import ArticlePage


def editable_article(request, article_id: int) -> ArticlePage:
    article = get_object_or_404(ArticlePage, pk=article_id)
    if not article.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return article


def orphaned_comments(request, article_id: int):
    article = editable_article(request, article_id)
    anchors = (
        InlineAnchor.objects.filter(article=article).shown_to_readers().orphaned()
        .select_related("comment__author").order_by("-created_at")
    )
    return render(request, "annotations/admin/orphaned.html", {"article": article, "anchors": anchors})


def _whole_number(raw):
    """A form's offset as an int; anything else goes on for anchoring.py to refuse with its message."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return raw


def place_feedback_point(request, article_id: int):
    """The article's published text, one block a paragraph: the editor selects words, writes the question and
    posts (the small admin script fills in where the words are); the server checks the selection the same way
    as a reader's inline comment, so the offsets are never trusted blindly."""
    article = editable_article(request, article_id)
    error, status, question = "", 200, ""
    if request.method == "POST":
        form = request.POST
        question = form.get("question", "")
        try:
            point = check_add_feedback_point(
                article=article, user=request.user, question=question, block_id=form.get("block_id"),
                start=_whole_number(form.get("start")), end=_whole_number(form.get("end")),
                exact=form.get("exact"), prefix=form.get("prefix", ""), suffix=form.get("suffix", ""),
            )
        except (AnchoringError, ValueError) as problem:
            error, status = str(problem), 400
        else:
            messages.success(request, f"Readers are now asked “{point.question}” about “{point.quote_exact}”.")
            return redirect(reverse("annotations_admin:place", args=[article.pk]))
    context = {
        "article": article,
        "blocks": list(published_block_texts(article).items()) if article.live else [],
        "points": FeedbackPoint.objects.filter(article=article).order_by("resolved_block_id", "resolved_start"),
        "error": error,
        "question": question,
    }
    return render(request, "annotations/admin/place_feedback_point.html", context, status=status)
