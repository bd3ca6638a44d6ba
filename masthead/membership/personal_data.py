"""What masthead keeps about one member: gathered for "download my data", and forgotten with their account.

The export (`member_data`) is one JSON object, `masthead-member-data` version 1:

    {"format": "masthead-member-data", "version": 1, "exported_at": "<ISO 8601>",
     "profile": {"username", "email", "display_name", "first_name", "last_name", "date_joined", "joined_at",
                 "last_sign_in"},
     "sign_in_links": [{"purpose", "email", "created_at", "expires_at", "used_at"}],
     "subscriptions": [{"tier", "interval", "status", "current_period_end", "cancel_at_period_end",
                        "provider_subscription_id", "created_at", "updated_at"}],
     "payments": {"provider_customer_id": "<id>" | null},
     "complimentary_access": [{"tier", "until", "note", "created_at"}],
     "comments": [{"id", "article": {"title", "url"}, "permalink", "parent_id", "as_guest", "guest_name",
                   "body", "status", "is_deleted", "is_pinned", "upvotes", "downvotes", "created_at",
                   "edited_at", "passage": null | {"quote", "prefix", "suffix", "state"}}],
     "votes": [{"comment_id", "article": {...}, "value", "created_at", "updated_at"}],
     "reports": [{"comment_id", "article": {...}, "reason", "note", "resolved", "created_at"}],
     "follows": [{"article": {...}, "comment_id" | null, "created_at"}],
     "guest_addresses": [{"email", "confirmed_at", "created_at", "follows": [...]}],
     "comment_bans": [{"reason", "created_at", "expires_at"}],
     "newsletter_subscriptions": [{"newsletter", "state", "subscribed_at", "consent_source"}]}

Times are ISO 8601 or null. `comments` holds the member's own and those posted as a guest with the account's
address (`as_guest`); an inline comment carries the passage it is about. Sign-in history is `last_sign_in` and
the sign-in links asked for (only their token's hash is kept, and it is not exported). Payment events are
stored as the provider's event id and type only, naming no member, so there are none to list here.

The sections after `complimentary_access` come from the apps that hold them, through
core.signals.personal_data_requested (the discussion's: discussion.personal_data; the newsletters':
newsletters.receivers.newsletter_data).
"""

from django.db.models import Q
from django.utils import timezone

from masthead.core.signals import personal_data_requested
from masthead.membership.models import Member, SignInLink

FORMAT = "masthead-member-data"
VERSION = 1


def _when(moment):
    return moment.isoformat() if moment else None


# Download my data ------------------------------------------------------------------------------------------


def member_data(member: Member, *, request=None) -> dict:
    """Everything masthead holds about the member: this app's sections, then each other app's (the signal)."""
    user = member.user
    links = SignInLink.objects.filter(Q(member=member) | Q(email__iexact=user.email)).order_by("created_at")
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _when(user.date_joined),
            "joined_at": _when(member.joined_at),
            "last_sign_in": _when(user.last_login),
        },
        "sign_in_links": [
            {
                "purpose": link.purpose,
                "email": link.email,
                "created_at": _when(link.created_at),
                "expires_at": _when(link.expires_at),
                "used_at": _when(link.used_at),
            }
            for link in links
        ],
        "subscriptions": [
            {
                "tier": subscription.tier.name,
                "interval": subscription.interval,
                "status": subscription.status,
                "current_period_end": _when(subscription.current_period_end),
                "cancel_at_period_end": subscription.cancel_at_period_end,
                "provider_subscription_id": subscription.provider_subscription_id,
                "created_at": _when(subscription.created_at),
                "updated_at": _when(subscription.updated_at),
            }
            for subscription in member.subscriptions.select_related("tier")
        ],
        "payments": {"provider_customer_id": member.stripe_customer_id or None},
        "complimentary_access": [
            {
                "tier": grant.tier.name,
                "until": grant.until.isoformat(),
                "note": grant.note,
                "created_at": _when(grant.created_at),
            }
            for grant in member.complimentary_access.select_related("tier")
        ],
    }
    for _receiver, sections in personal_data_requested.send(sender=Member, user=user, request=request):
        data.update(sections)
    return data
