"""The newsletters admin: newsletters as a Wagtail snippet, in the admin menu."""

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet

from masthead.newsletters.models import Newsletter


class NewsletterDeleteView(DeleteView):
    """Wagtail's, refusing with a message (not an error page) a newsletter that has sent mail."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                f"“{self.object}” has sent mail, so it cannot be deleted: the record of what went to whom would "
                "go with it. Untick “Is active” instead to stop sending it.",
            )
            return HttpResponseRedirect(self.get_success_url())


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
