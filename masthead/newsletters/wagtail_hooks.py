"""The newsletters admin: newsletters as a Wagtail snippet, in the admin menu."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.newsletters.models import Newsletter


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = "Newsletters"
    add_to_admin_menu = True
    menu_order = 302
    list_display = ["name", "cadence", "audience", "default_on_sign_up", "is_active"]
    list_filter = ["cadence", "audience", "is_active"]


register_snippet(NewsletterViewSet)
