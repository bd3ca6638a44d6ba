"""Inline feedback in the Wagtail admin: feedback points (editors' questions) and lost passages on the edit page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.annotations.forms import FeedbackPointForm
from masthead.annotations.models import FeedbackPoint, InlineAnchor
from masthead.articles.models import ArticlePage


def orphaned_comments(request, article_id: int):
    article = get_object_or_404(ArticlePage, pk=article_id)
    if not article.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    anchors = (
        InlineAnchor.objects.filter(article=article).shown_to_readers().orphaned()
        .select_related("comment__author").order_by("-created_at")
    )
    return render(request, "annotations/admin/orphaned.html", {"article": article, "anchors": anchors})


@hooks.register("register_admin_urls")
def register_annotations_admin_urls():
    urls = [path("article/<id:article_id>/orphaned/", orphaned_comments, name="orphaned")]
    return [path("inline-feedback/", include((urls, "annotations_admin")))]


@hooks.register("before_edit_page")
def warn_about_lost_passages(request, page):
    """"3 inline comments lost their passage" atop the article's edit page, with the list one click away."""
    if request.method != "GET" or not isinstance(page.specific, ArticlePage):
        return None
    lost = InlineAnchor.objects.filter(article_id=page.pk).shown_to_readers().orphaned().count()
    if lost:
        url = reverse("annotations_admin:orphaned", args=[page.pk])
        messages.warning(
            request,
            format_html(
                '{} inline comment{} lost {} passage after an edit. <a href="{}">See which</a>.',
                lost, "" if lost == 1 else "s", "its" if lost == 1 else "their", url,
            ),
        )
    return None


class FeedbackPointViewSet(SnippetViewSet):
    model = FeedbackPoint
    icon = "help"
    menu_label = "Feedback points"
    add_to_admin_menu = True
    menu_order = 251
    list_display = ["question", "article", "state", "is_open"]
    list_filter = ["state", "is_open"]
    edit_handler = ObjectList(
        [FieldPanel("article"), FieldPanel("passage_text"), FieldPanel("question"), FieldPanel("is_open")],
        base_form_class=FeedbackPointForm,
    )


register_snippet(FeedbackPointViewSet)
