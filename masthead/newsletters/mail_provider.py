"""What the newsletter needs from the mail provider beyond "send this": an id to find a message again when the
provider reports on it, the tracking switch, and reading the provider's reports (anymail's tracking events) as
hard bounce, soft bounce, complaint or unsubscribe."""

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage

from masthead.newsletters.models import ProviderEventKind

# Backends that take anymail's per-message track_opens/track_clicks. The others (Amazon SES, Brevo, Postal, SMTP)
# track only if switched on in the provider's own account, and masthead leaves that alone.
PER_MESSAGE_TRACKING_BACKENDS = frozenset(
    {
        "anymail.backends.postmark.EmailBackend",
        "anymail.backends.mailgun.EmailBackend",
        "anymail.backends.sendgrid.EmailBackend",
        "anymail.backends.test.EmailBackend",
    }
)


def normalise_message_id(value) -> str:
    """Providers write a Message-ID with or without its angle brackets; stored and compared without them."""
    if isinstance(value, set | frozenset | list | tuple):  # anymail: one id per recipient; ours have one
        value = next(iter(value), "") if len(value) == 1 else ""
    return ("" if value is None else str(value)).strip().strip("<>")[:255]


def prepare_message(message: EmailMessage) -> EmailMessage:
    """Give the message a Message-ID of our own (SMTP servers report bounces by it) and say whether the provider
    may track opens and clicks: with tracking off, a provider that tracks by default is told not to."""
    if "Message-ID" not in message.extra_headers:
        host = urlsplit(settings.MASTHEAD_BASE_URL).hostname or "localhost"
        message.extra_headers["Message-ID"] = make_msgid(domain=host)
    if settings.EMAIL_BACKEND in PER_MESSAGE_TRACKING_BACKENDS:
        # anymail's documented message attributes, read by its backends when the message is sent
        message.track_opens = settings.MASTHEAD_NEWSLETTER_TRACKING
        message.track_clicks = settings.MASTHEAD_NEWSLETTER_TRACKING
    return message


def message_id_of(message: EmailMessage) -> str:
    """The id the provider will name in its reports: anymail's message_id once sent, else our Message-ID."""
    status = getattr(message, "anymail_status", None)
    if status is not None and status.message_id not in (None, "", set()):
        return normalise_message_id(status.message_id)
    return normalise_message_id(message.extra_headers.get("Message-ID", ""))


def is_soft_bounce(event) -> bool:
    """A temporary failure: anymail's "deferred", or a "bounced" the provider itself classes as soft (Postmark's
    SoftBounce, Brevo's soft_bounce, Amazon SES's Transient bounce type)."""
    if event.event_type == "deferred":
        return True
    if event.event_type != "bounced":
        return False
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    return (
        esp_event.get("Type") == "SoftBounce"
        or esp_event.get("event") == "soft_bounce"
        or (event.description or "").startswith("Transient")
    )


def event_kind(event) -> str | None:
    """The ProviderEventKind of an anymail tracking event, or None for those the newsletter does not act on
    (queued, sent, opened, clicked, ...)."""
    if event.event_type in ("bounced", "deferred"):
        return ProviderEventKind.SOFT_BOUNCE if is_soft_bounce(event) else ProviderEventKind.HARD_BOUNCE
    if event.event_type == "complained":
        return ProviderEventKind.COMPLAINT
    if event.event_type == "unsubscribed":
        return ProviderEventKind.UNSUBSCRIBE
    if event.event_type == "delivered":
        return ProviderEventKind.DELIVERED
    if event.event_type == "rejected":
        # The provider refused to send: its own suppression list says why.
        return {
            "bounced": ProviderEventKind.HARD_BOUNCE,
            "invalid": ProviderEventKind.HARD_BOUNCE,
            "spam": ProviderEventKind.COMPLAINT,
            "unsubscribed": ProviderEventKind.UNSUBSCRIBE,
        }.get(event.reject_reason)
    return None
