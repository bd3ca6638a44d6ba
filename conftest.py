"""Fixtures shared by every app's tests."""

import socket
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# These machines are shared and noisy: a property test fails on its property, never on a timing deadline.
hypothesis_settings.register_profile("masthead", deadline=None, database=None)
hypothesis_settings.load_profile("masthead")


def pytest_configure(config):
    """Compile the translation catalogues when a .po is newer than its .mo, as `make` does, so that pytest run
    on its own renders the Arabic and French pages in their language."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).parent.glob("masthead/locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalogue = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalogue)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded images and renditions go to a per-test folder, never into var/.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MASTHEAD_PRIVATE_MEDIA_ROOT = tmp_path / "private_media"


@pytest.fixture
def section(db):
    from masthead.articles.factories import make_section

    return make_section()


class Inbox:
    """Messages received by the test SMTP server, parsed."""

    def __init__(self):
        self.messages = []

    def __len__(self):
        return len(self.messages)

    def to(self, address: str):
        return [message for message in self.messages if address in message["To"]]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; Django's SMTP backend sends to it for this test."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    inbox = Inbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            inbox.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
            return "250 Message accepted"

    with socket.socket() as probe:  # aiosmtpd checks its own port on start, so it needs a real one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _forget_discussion_policy():
    # The discussion policy is cached across requests; a test's saved policy is rolled back with its database,
    # so it must not outlive the test in the cache either.
    yield
    from masthead.discussion.models import forget_cached_policy

    forget_cached_policy()


@pytest.fixture(autouse=True)
def _forget_stamped_memos():
    # Memos are kept per stamp value; a test's database rolls back to a stamp an earlier test also saw.
    from masthead.delivery.stamps import StampedMemo

    StampedMemo.forget_all()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Counters (rate limits) and cached pages live in the cache, which outlives a test's rolled-back database.
    from django.core.cache import cache

    cache.clear()
