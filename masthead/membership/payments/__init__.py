"""Payment providers behind one interface; the backend is chosen by MASTHEAD_PAYMENTS_BACKEND."""

from django.conf import settings
from django.utils.module_loading import import_string

from masthead.membership.payments.base import InvalidWebhook, PaymentBackend, PaymentError, ProviderEvent

__all__ = ["InvalidWebhook", "PaymentBackend", "PaymentError", "ProviderEvent", "get_backend"]


def get_backend() -> PaymentBackend:
    return import_string(settings.MASTHEAD_PAYMENTS_BACKEND)()
