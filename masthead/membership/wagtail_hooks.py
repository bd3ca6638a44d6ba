"""The membership admin: tiers, complimentary access and members, as Wagtail snippets; deleting a user."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.core.admin_views import KeptWhenReferencedDeleteView
from masthead.membership import actions
from masthead.membership.models import ComplimentaryAccess, Tier


class TierDeleteView(KeptWhenReferencedDeleteView):
    """Wagtail's, refusing with a message (not an error page) a tier that members' subscriptions still name."""

    kept_message = (
        "“{object}” has members' subscriptions, so it cannot be deleted: their history would go with it. "
        "Untick “Is active” instead to stop offering it."
    )


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


@hooks.register("before_delete_user")
def delete_through_the_membership_action(request, user):
    """An editor's delete in the admin runs the member's own action: their comments stay, by a "deleted
    member" (a plain delete fails on them), and a renewing subscription is cancelled at the provider first."""
    if request.method != "POST":
        return None
    member = actions.member_of(user)
    try:
        actions.check_delete_account(member=member)
        actions.do_delete_account(member=member)
    except actions.MembershipError as error:
        messages.error(request, error.message)
        return redirect("wagtailusers_users:delete", user.pk)
    messages.success(request, f"User '{user}' deleted.")
    return redirect("wagtailusers_users:index")


@hooks.register("before_bulk_action")
def bulk_delete_users_through_the_membership_action(request, action_type, objects, action):
    """The users listing's bulk delete, likewise (Wagtail then deletes what is left: nothing)."""
    if action_type != "delete" or action.model is not get_user_model():
        return None
    for user in objects:
        member = actions.member_of(user)
        try:
            actions.check_delete_account(member=member)
            actions.do_delete_account(member=member)
        except actions.MembershipError as error:
            messages.error(request, f"{user} is not deleted: {error.message}")
            return redirect(action.next_url)
    return None
