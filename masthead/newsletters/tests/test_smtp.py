"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1): a refused address fails alone, and a server that
is down pauses the send, which resumes once it is back, with every message delivered once."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import Delivery, DeliveryStatus, Send, SendStatus
from masthead.newsletters.tasks import resume_unfinished_sends

pytestmark = pytest.mark.django_db

REFUSED = "refused@example.org"


class SinkHandler:
    """Accepts every message except those to REFUSED, which it turns away at RCPT with the server's answer."""

    def __init__(self):
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """The settings pointed at a port on 127.0.0.1; `start()` runs a sink there, stopped after the test."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    handler = SinkHandler()
    controllers = []

    def start():
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def received_by(handler) -> list[str]:
    return sorted(str(message["To"]) for message in handler.received)


def test_a_refused_address_is_marked_failed_with_the_answer_and_the_rest_go_on(smtp, section, publish):
    handler = smtp()
    letter = NewsletterFactory()
    for email in ("ana@example.org", REFUSED, "ben@example.org"):
        NewsletterSubscriptionFactory(newsletter=letter, member__user__email=email)
    publish()
    assert received_by(handler) == ["ana@example.org", "ben@example.org"]
    refused = Delivery.objects.get(member__user__email=REFUSED)
    assert refused.status == DeliveryStatus.FAILED and "No such mailbox here" in refused.last_error
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert Send.objects.get().status == SendStatus.DONE
    message = handler.received[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None


def test_a_server_that_is_down_pauses_the_send_and_it_resumes_without_loss(smtp, section, publish):
    letter = NewsletterFactory()
    addresses = [f"reader{n}@example.org" for n in range(5)]
    for email in addresses:
        NewsletterSubscriptionFactory(newsletter=letter, member__user__email=email)

    publish()  # nothing listens on the port yet

    send = Send.objects.get()
    assert send.status == SendStatus.RETRYING and send.server_failures == 1
    assert send.retry_at > timezone.now() and "refused" in send.last_error.lower()
    # Nothing was sent, so no message used up an attempt: a long outage fails nobody.
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.QUEUED, 0)}

    handler = smtp()
    resume_unfinished_sends.enqueue()
    assert handler.received == []  # the backoff has not passed yet
    Send.objects.filter(pk=send.pk).update(retry_at=timezone.now())  # it has now
    resume_unfinished_sends.enqueue()
    assert received_by(handler) == addresses  # each exactly once
    send.refresh_from_db()
    assert send.status == SendStatus.DONE and send.server_failures == 0 and send.possible_duplicates == 0
    resume_unfinished_sends.enqueue()
    assert len(handler.received) == 5
