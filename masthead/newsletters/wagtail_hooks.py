"""The newsletters admin: newsletters as a Wagtail snippet, in the admin menu, and the subscriber import."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.core.admin_views import KeptWhenReferencedDeleteView
from masthead.newsletters import admin_views
from masthead.newsletters.models import Newsletter


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


admin_urlpatterns = (
    [
        path("import/", admin_views.import_subscribers, name="import"),
        path("import/<int:import_id>/confirm/", admin_views.confirm_import, name="confirm_import"),
    ],
    "newsletters_admin",
)


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.IMPORT_PERMISSION)


@hooks.register("register_admin_urls")
def register_newsletter_admin_urls():
    return [path("newsletters/subscribers/", include(admin_urlpatterns))]


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
    app_label, codename = admin_views.IMPORT_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
