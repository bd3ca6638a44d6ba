"""The signed tokens in newsletter mail: the sign-up confirmation (expires) and the unsubscribe link (does not).

Both are made with django.core.signing (the SECRET_KEY), so nothing about them is stored; each has its own salt,
so one can never be used as the other.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CONFIRM_SALT = "masthead.newsletters.confirm"
UNSUBSCRIBE_SALT = "masthead.newsletters.unsubscribe"


class BadToken(Exception):
    """A token that was not made here, was changed, or expired; the message says which, for the reader."""


def confirm_lifetime() -> timedelta:
    return timedelta(hours=settings.MASTHEAD_NEWSLETTER_CONFIRM_HOURS)


def make_confirm_token(email: str) -> str:
    return signing.dumps({"email": email}, salt=CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> str:
    """The address the confirmation link was sent to."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=confirm_lifetime())
    except signing.SignatureExpired:
        hours = settings.MASTHEAD_NEWSLETTER_CONFIRM_HOURS
        raise BadToken(
            ngettext(
                "Confirmation links work for %(hours)d hour, and this one is older. Subscribe again to get a new one.",
                "Confirmation links work for %(hours)d hours, and this one is older. Subscribe again to get a new one.",
                hours,
            )
            % {"hours": hours}
        ) from None
    except signing.BadSignature:
        raise BadToken(
            _("This link is not one we sent, or it was changed on the way (a character missing or added).")
        ) from None
    email = data.get("email") if isinstance(data, dict) else None
    if not isinstance(email, str) or "@" not in email:
        raise BadToken(_("This link is not one we sent."))
    return email


def make_unsubscribe_token(subscription_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription_id))


def read_unsubscribe_token(token: str) -> int:
    """The NewsletterSubscription the unsubscribe link is for. It never expires: an old e-mail's link works."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise BadToken(_("This unsubscribe link is not one we sent, or it was changed on the way.")) from None
    if not value.isdigit():
        raise BadToken(_("This unsubscribe link is not one we sent."))
    return int(value)
