"""The newsletters admin: newsletters as a Wagtail snippet; the sends' pages; the subscriber import; "Publish
and send" in an article's action menu, and a link to its mail (preview, test, send only)."""

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.articles.models import ArticlePage
from masthead.core.admin_views import KeptWhenReferencedDeleteView
from masthead.newsletters import admin_urls, import_views, send_actions
from masthead.newsletters.actions import NewsletterError
from masthead.newsletters.models import Newsletter, NewsletterIssue, Segment

# The value of the "Publish and send" button: Wagtail publishes on any non-empty "action-publish".
PUBLISH_AND_SEND = "masthead-publish-and-send"
CHOICE_FIELD = "masthead_newsletter_send"


class NewsletterDeleteView(KeptWhenReferencedDeleteView):
    """Wagtail's, refusing with a message (not an error page) a newsletter that has sent mail."""

    kept_message = (
        "“{object}” has sent mail, so it cannot be deleted: the record of what went to whom would go with it. "
        "Untick “Is active” instead to stop sending it."
    )


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    delete_view_class = NewsletterDeleteView
    icon = "mail"
    menu_label = "Newsletters"
    add_to_admin_menu = True
    menu_order = 302
    list_display = ["name", "cadence", "audience", "default_on_sign_up", "is_active"]
    list_filter = ["cadence", "audience", "is_active"]


register_snippet(NewsletterViewSet)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("newsletters/", include((admin_urls.urlpatterns, "newsletters_admin")))]


class SendsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("newsletters.view_send")


@hooks.register("register_admin_menu_item")
def register_sends_menu_item():
    return SendsMenuItem("Newsletter sends", reverse("newsletters_admin:sends"), icon_name="mail", order=303)


@hooks.register("register_permissions")
def register_send_permissions():
    """Ticked per group in Settings → Groups: "view send" opens the sends' pages, "change send" pauses them."""
    return Permission.objects.filter(content_type__app_label="newsletters", codename__in=["view_send", "change_send"])


# The article's action menu -------------------------------------------------------------------------------


def send_options() -> list[tuple[str, str]]:
    options = []
    for newsletter in Newsletter.objects.filter(is_active=True):
        for segment, label in Segment.choices:
            options.append((f"{newsletter.pk}:{segment}", f"{newsletter.name} · {label.lower()}"))
    options.append((send_actions.NOBODY, "Nobody: publish without mailing it"))
    return options


class PublishAndSendMenuItem(ActionMenuItem):
    """"Publish and send to <newsletter> (segment)", or publish without mailing: the choice is posted with the
    form and recorded by the before_publish_page hook below, before Wagtail publishes."""

    label = "Publish and send…"
    name = "action-publish"
    template_name = "newsletters/admin/publish_and_send_menu_item.html"
    order = 15

    def is_shown(self, context):
        if context["view"] == "create":
            parent = context["parent_page"]
            return ArticlePage.can_exist_under(parent) and parent.permissions_for_user(
                context["request"].user
            ).can_publish_subpage()
        page = context.get("page")
        if context["view"] != "edit" or context["locked_for_user"] or not isinstance(page, ArticlePage):
            return False
        return self.get_user_page_permissions_tester(context).can_publish()

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context |= {"options": send_options(), "value": PUBLISH_AND_SEND, "field": CHOICE_FIELD}
        return context


class MailMenuItem(ActionMenuItem):
    """A link to the page's mail: preview as each access class, a test to oneself, and "send only"."""

    label = "Newsletter: preview, test, send only"
    icon_name = "mail"
    order = 60

    def is_shown(self, context):
        page = context.get("page")
        return context["view"] == "edit" and isinstance(page, (ArticlePage, NewsletterIssue))

    def get_url(self, parent_context):
        return reverse("newsletters_admin:page_mail", args=[parent_context["page"].pk])


@hooks.register("register_page_action_menu_item")
def register_publish_and_send():
    return PublishAndSendMenuItem()


@hooks.register("register_page_action_menu_item")
def register_mail_link():
    return MailMenuItem()


@hooks.register("before_publish_page")
def record_send_choice(request, page):
    """Runs after the form is saved and before Wagtail publishes, so the publish's receiver reads the choice."""
    if request.POST.get("action-publish") != PUBLISH_AND_SEND or not isinstance(page.specific, ArticlePage):
        return None
    try:
        newsletter, segment = send_actions.check_send_choice(value=request.POST.get(CHOICE_FIELD, ""))
    except NewsletterError as error:
        # Stopping here would leave Wagtail's create view with a half-made page: it is published, mailed to
        # nobody (not to a default the editor did not choose), and the editor is told why.
        messages.warning(request, f"Published without mailing it: {error.message}")
        newsletter, segment = None, Segment.EVERYONE
    send_actions.do_record_send_choice(article=page, newsletter=newsletter, segment=segment, user=request.user)
    return None


# The subscriber import ------------------------------------------------------------------------------


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(import_views.IMPORT_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        "Import subscribers",
        reverse("newsletters_admin:import"),
        name="import-subscribers",
        icon_name="upload",
        order=303,
    )


@hooks.register("register_permissions")
def register_import_permission():
    """Offered in Settings → Groups; Editors have it (migration 0003)."""
    app_label, codename = import_views.IMPORT_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
