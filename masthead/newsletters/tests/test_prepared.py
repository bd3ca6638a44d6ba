"""The message is serialised once per access class and personalised by substitution: what reaches the server is
each recipient's own message (address, unsubscribe link in the headers and both parts, Message-ID)."""

import pytest

from masthead.membership.access import Reader
from masthead.newsletters.compose import ArticleComposer, NewsletterMessage
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import NewsletterSubscription
from masthead.newsletters.tests.conftest import OPENING
from masthead.newsletters.tests.test_smtp import smtp  # noqa: F401 - the fixture
from masthead.newsletters.tokens import read_unsubscribe_token

pytestmark = pytest.mark.django_db

ADDRESSES = ["ana@example.org", "ben@example.org"]


def test_each_recipient_gets_their_own_address_link_and_message_id(smtp, section, publish):  # noqa: F811
    handler = smtp()
    letter = NewsletterFactory()
    for email in ADDRESSES:
        NewsletterSubscriptionFactory(newsletter=letter, member__user__email=email)
    publish()

    messages = sorted(handler.received, key=lambda message: str(message["To"]))
    assert [str(message["To"]) for message in messages] == ADDRESSES
    assert len({message["Message-ID"] for message in messages}) == 2 and all(m["Date"] for m in messages)
    for email, message in zip(ADDRESSES, messages, strict=True):
        link = str(message["List-Unsubscribe"]).split(",")[0].strip("<> ")
        subscription = NewsletterSubscription.objects.get(pk=read_unsubscribe_token(link.rstrip("/").split("/")[-1]))
        assert subscription.member.user.email == email
        html, text = message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()
        assert link in html and link in text and OPENING in html and OPENING in text
        assert "7f3a" not in message.as_string()  # no placeholder left anywhere


def test_an_address_a_header_must_encode_is_built_in_full(section, publish):
    NewsletterSubscriptionFactory(newsletter=NewsletterFactory(), member__user__email="ana@example.org")
    article = publish()
    subscription = NewsletterSubscription.objects.get()
    composer = ArticleComposer(newsletter=subscription.newsletter, article=article, subject="Low tide")
    reader = Reader(user_id=subscription.member.user_id)
    plain = composer.message_for(reader=reader, email="ana@example.org", subscription=subscription)
    named = composer.message_for(reader=reader, email="Zoë <zoe@example.org>", subscription=subscription)
    assert isinstance(plain, NewsletterMessage) and plain.prepared is not None
    assert named.prepared is None and "zoe@example.org" in named.message().as_string()
