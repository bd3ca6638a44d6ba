"""The membership admin: tiers, complimentary access and members, as Wagtail snippets."""

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet

from masthead.membership.models import ComplimentaryAccess, Tier


class TierDeleteView(DeleteView):
    """Wagtail's, refusing with a message (not an error page) a tier that members' subscriptions still name."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                f"“{self.object}” has members' subscriptions, so it cannot be deleted: their history would go "
                "with it. Untick “Is active” instead to stop offering it.",
            )
            return HttpResponseRedirect(self.get_success_url())


class TierViewSet(SnippetViewSet):
    model = Tier
    delete_view_class = TierDeleteView
    icon = "tag"
    menu_label = "Tiers"
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["name", "monthly_price", "yearly_price", "currency", "is_active"]


class ComplimentaryAccessViewSet(SnippetViewSet):
    model = ComplimentaryAccess
    icon = "user"
    menu_label = "Complimentary access"
    add_to_admin_menu = True
    menu_order = 301
    list_display = ["member", "tier", "until", "note"]
    panels = [FieldPanel("member"), FieldPanel("tier"), FieldPanel("until"), FieldPanel("note")]


register_snippet(TierViewSet)
register_snippet(ComplimentaryAccessViewSet)
