"""What each message carries for the provider (mail_provider.py): the tracking switch and a Message-ID of ours;
and the provider chosen by environment variables (settings.py)."""

import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import Delivery

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def subscribed(section):
    newsletter = NewsletterFactory(slug="harbour")
    NewsletterSubscriptionFactory(newsletter=newsletter, member__user__email="ana@example.org")
    return newsletter


def test_with_tracking_off_the_provider_is_told_not_to_track(settings, subscribed, publish):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    publish()
    (message,) = mail.outbox
    params = message.anymail_test_params
    assert params["track_opens"] is False and params["track_clicks"] is False


def test_with_tracking_on_the_provider_may_track(settings, subscribed, publish):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.MASTHEAD_NEWSLETTER_TRACKING = True
    publish()
    (message,) = mail.outbox
    assert message.anymail_test_params["track_opens"] is True
    assert message.anymail_test_params["track_clicks"] is True


def test_plain_django_backends_get_no_tracking_attributes_and_keep_our_message_id(subscribed, publish):
    publish()  # the locmem backend, as for SMTP
    (message,) = mail.outbox
    assert not hasattr(message, "track_opens")
    header = message.extra_headers["Message-ID"]
    assert header.startswith("<") and header.endswith("@127.0.0.1>")
    assert Delivery.objects.get().message_id == header.strip("<>")
    assert "pixel" not in message.alternatives[0][0] and "<img" not in message.body


class Sink:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted"


def test_through_a_real_smtp_server_the_delivery_keeps_the_message_id_that_arrived(settings, subscribed, publish):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=2581)  # this work's port range: 2580-2589
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 2581, 5
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        publish()
    finally:
        controller.stop()
    (arrived,) = sink.received
    assert arrived["Message-ID"] == f"<{Delivery.objects.get().message_id}>"


def settings_under(env: dict) -> subprocess.CompletedProcess:
    """Load settings.py in a fresh interpreter with only these e-mail variables, and print what it chose."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "MASTHEAD_EMAIL", "POSTMARK", "MAILGUN"))
    }
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.EMAIL_BACKEND); print(sorted(settings.ANYMAIL))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"DJANGO_SETTINGS_MODULE": "masthead.settings", "SECRET_KEY": "k" * 50} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "backend", "anymail"),
    [
        ({}, "django.core.mail.backends.filebased.EmailBackend", "[]"),
        ({"EMAIL_HOST": "mail.example.org"}, "django.core.mail.backends.smtp.EmailBackend", "[]"),
        (
            {"MASTHEAD_EMAIL_PROVIDER": "postmark", "POSTMARK_SERVER_TOKEN": "tok", "ANYMAIL_WEBHOOK_SECRET": "a:b"},
            "anymail.backends.postmark.EmailBackend",
            "['POSTMARK_SERVER_TOKEN', 'WEBHOOK_SECRET']",
        ),
        (
            {"MASTHEAD_EMAIL_PROVIDER": "Mailgun", "MAILGUN_API_KEY": "key", "MAILGUN_WEBHOOK_SIGNING_KEY": "sig"},
            "anymail.backends.mailgun.EmailBackend",
            "['MAILGUN_API_KEY', 'MAILGUN_WEBHOOK_SIGNING_KEY']",
        ),
    ],
)
def test_the_provider_is_chosen_by_environment_variables(env, backend, anymail):
    result = settings_under(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [backend, anymail]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MASTHEAD_EMAIL_PROVIDER": "carrier-pigeon"}, "MASTHEAD_EMAIL_PROVIDER='carrier-pigeon': choose one of smtp"),
        ({"MASTHEAD_EMAIL_PROVIDER": "postmark"}, "MASTHEAD_EMAIL_PROVIDER=postmark needs POSTMARK_SERVER_TOKEN set"),
    ],
)
def test_a_provider_without_its_keys_stops_the_start(env, message):
    result = settings_under(env)
    assert result.returncode != 0 and message in result.stderr
