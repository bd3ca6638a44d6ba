"""Stripe through the official `stripe` package: Checkout, the customer portal and signed webhooks."""

import time

import stripe
from django.conf import settings

from masthead.core.bounds import parse_json
from masthead.core.time import moment_from_timestamp
from masthead.membership.payments.base import InvalidWebhook, PaymentBackend, PaymentError, ProviderEvent

SIGNATURE_TOLERANCE = 300  # seconds between Stripe signing a delivery and our receiving it


def _signed_at(signature: str) -> int:
    """The `t=` of a Stripe-Signature header the library has verified, read as the library reads it (the first
    `t`), so the time checked is the time that was signed."""
    for item in signature.split(","):
        parts = item.split("=", 2)
        if parts[0] == "t" and len(parts) > 1:
            return int(parts[1])
    raise InvalidWebhook("The signature has no time.")


class StripeBackend(PaymentBackend):
    name = "stripe"

    @property
    def is_configured(self) -> bool:
        return bool(settings.MASTHEAD_STRIPE_SECRET_KEY and settings.MASTHEAD_STRIPE_WEBHOOK_SECRET)

    def client(self) -> stripe.StripeClient:
        options = {"max_network_retries": 1}
        if settings.MASTHEAD_STRIPE_API_BASE:  # tests point this at a stand-in server on 127.0.0.1
            options["base_addresses"] = {"api": settings.MASTHEAD_STRIPE_API_BASE}
        return stripe.StripeClient(settings.MASTHEAD_STRIPE_SECRET_KEY, **options)

    def create_checkout(self, *, member, tier, interval, success_url, cancel_url) -> str:
        metadata = {"member": str(member.pk), "tier": tier.slug, "interval": interval}
        params = {
            "mode": "subscription",
            "line_items": [{"price": tier.stripe_price_id(interval), "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": str(member.pk),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
        }
        if member.stripe_customer_id:
            params["customer"] = member.stripe_customer_id
        else:
            params["customer_email"] = member.user.email
        try:
            session = self.client().v1.checkout.sessions.create(params=params)
        except stripe.StripeError as error:
            raise PaymentError(str(error.user_message or error)) from error
        return session.url

    def portal_url(self, *, member, return_url) -> str:
        try:
            session = self.client().v1.billing_portal.sessions.create(
                params={"customer": member.stripe_customer_id, "return_url": return_url}
            )
        except stripe.StripeError as error:
            raise PaymentError(str(error.user_message or error)) from error
        return session.url

    def cancel_subscription(self, *, provider_subscription_id) -> None:
        try:
            self.client().v1.subscriptions.cancel(provider_subscription_id)
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":
                return  # already gone at Stripe: nothing left to charge
            raise PaymentError(str(error.user_message or error)) from error
        except stripe.StripeError as error:
            raise PaymentError(str(error.user_message or error)) from error

    def parse_webhook(self, *, payload: bytes, signature: str) -> ProviderEvent:
        try:
            # Checks the HMAC and that the timestamp is within five minutes, which turns away replays.
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"),
                signature,
                settings.MASTHEAD_STRIPE_WEBHOOK_SECRET,
                tolerance=SIGNATURE_TOLERANCE,
            )
            # The library turns away old signatures only; one dated far ahead would be good forever.
            if _signed_at(signature) > time.time() + SIGNATURE_TOLERANCE:
                raise InvalidWebhook("The signature is dated in the future.")
            event = parse_json(payload)
            return ProviderEvent(
                provider=self.name,
                event_id=str(event["id"]),
                event_type=str(event["type"]),
                created=moment_from_timestamp(event["created"]),
                data=dict(event["data"]["object"]),
            )
        except (
            stripe.SignatureVerificationError,
            UnicodeDecodeError,
            ValueError,  # InvalidJSON and an impossible moment among them
            KeyError,
            TypeError,
        ) as error:
            raise InvalidWebhook(str(error) or "The webhook could not be verified.") from error
