"""The source feeds admin: feeds as a Wagtail snippet, each edit page showing its last check, with "Check now"."""

from django.contrib import messages
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import BaseOperationView, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button, MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet

from masthead.sources.actions import do_check_feed
from masthead.sources.models import FeedStatus, SourceFeed


class SourceFeedIndexView(IndexView):
    check_url_name = None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.user_has_permission("change"):
            url = reverse(self.check_url_name, args=[instance.pk])
            buttons.append(MenuItem("Check now", url=url, icon_name="rotate", priority=15))
        return buttons


class SourceFeedEditView(EditView):
    check_url_name = None
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.user_has_permission("change"):
            url = reverse(self.check_url_name, args=[self.object.pk])
            buttons.append(Button("Check now", url=url, icon_name="rotate", priority=5))
        return buttons


class CheckNowView(PermissionCheckedMixin, WagtailAdminTemplateMixin, BaseOperationView, TemplateView):
    """GET asks to confirm (a check writes drafts); POST fetches the feed now and says what it found."""

    permission_required = "change"
    template_name = "sources/admin/check_now.html"
    page_title = "Check the feed now"
    header_icon = "rotate"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["feed"] = self.object
        context["back_url"] = reverse(self.success_url_name, args=[self.object.pk])
        return context

    def perform_operation(self):
        self.outcome = do_check_feed(feed=self.object)

    def add_success_message(self):
        level = messages.error if self.outcome.status == FeedStatus.ERROR else messages.success
        level(self.request, f"{self.object}: {self.outcome.summary()}")


class SourceFeedViewSet(SnippetViewSet):
    model = SourceFeed
    index_view_class = SourceFeedIndexView
    edit_view_class = SourceFeedEditView
    icon = "site"
    menu_label = "Source feeds"
    add_to_admin_menu = True
    menu_order = 305
    list_display = ["source_outlet", "url", "section", "status", "last_checked_at", "last_result"]
    list_filter = ["status", "is_active", "source_outlet"]

    def get_queryset(self, request):
        # The listing names each feed's outlet and section: fetched with the feeds, not one query a row.
        return SourceFeed.objects.select_related("source_outlet", "section")

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(check_url_name=self.get_url_name("check"), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(check_url_name=self.get_url_name("check"), **kwargs)

    @property
    def check_view(self):
        return self.construct_view(CheckNowView, success_url_name=self.get_url_name("edit"))

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("check/<str:pk>/", self.check_view, name="check")]


register_snippet(SourceFeedViewSet)
