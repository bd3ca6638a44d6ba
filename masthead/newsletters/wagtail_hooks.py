"""The newsletters admin: newsletters as a Wagtail snippet, in the admin menu."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.core.admin_views import KeptWhenReferencedDeleteView
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
