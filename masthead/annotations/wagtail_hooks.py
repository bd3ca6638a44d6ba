"""Inline feedback in the Wagtail admin: feedback points (editors' questions) and lost passages on the edit page."""

from django.contrib import messages
from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.annotations.admin_views import orphaned_comments, place_feedback_point
from masthead.annotations.forms import FeedbackPointForm
from masthead.annotations.models import FeedbackPoint, InlineAnchor
from masthead.articles.models import ArticlePage


@hooks.register("register_admin_urls")
def register_annotations_admin_urls():
    urls = [
        path("article/<id:article_id>/orphaned/", orphaned_comments, name="orphaned"),
        path("article/<id:article_id>/feedback-points/", place_feedback_point, name="place"),
    ]
    return [path("inline-feedback/", include((urls, "annotations_admin")))]


@hooks.register("register_page_header_buttons")
def place_feedback_points_button(page, user, view_name=None, next_url=None):
    """"Ask readers about a passage" in the article's edit page menu, for editors who may edit it."""
    is_article = page.specific_class is not None and issubclass(page.specific_class, ArticlePage)
    if is_article and page.live and page.permissions_for_user(user).can_edit():
        yield Button(
            "Ask readers about a passage", reverse("annotations_admin:place", args=[page.pk]), priority=60,
            icon_name="help",
        )


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
