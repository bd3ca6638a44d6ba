"""The membership admin: tiers, complimentary access and members, as Wagtail snippets."""

from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.membership.models import ComplimentaryAccess, Tier


class TierViewSet(SnippetViewSet):
    model = Tier
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
