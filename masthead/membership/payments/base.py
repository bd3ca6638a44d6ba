"""The interface every payment backend implements, and the provider-neutral event it hands to the actions."""

from dataclasses import dataclass
from datetime import datetime


class PaymentError(Exception):
    """The provider could not be reached or refused the request."""


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


@dataclass(frozen=True)
class ProviderEvent:
    provider: str
    event_id: str
    event_type: str
    created: datetime
    data: dict  # the event's object, as the provider sent it


class PaymentBackend:
    name = "none"

    @property
    def is_configured(self) -> bool:
        """False when the keys are missing: paid tiers are then shown as "coming soon"."""
        return False

    def create_checkout(self, *, member, tier, interval: str, success_url: str, cancel_url: str) -> str:
        """Start paying for `tier` every `interval`; returns the address of the provider's checkout page."""
        raise NotImplementedError

    def portal_url(self, *, member, return_url: str) -> str:
        """The provider's page where a member updates a card or cancels."""
        raise NotImplementedError

    def cancel_subscription(self, *, provider_subscription_id: str) -> None:
        """End a subscription at once, with no further charge (the member is deleting their account)."""
        raise NotImplementedError

    def parse_webhook(self, *, payload: bytes, signature: str) -> ProviderEvent:
        """Verify a webhook delivery and return its event; InvalidWebhook when it does not verify."""
        raise NotImplementedError
