"""Sending each new article: one message per subscribed recipient, never twice, through the gate, with the
unsubscribe headers of RFC 2369 and RFC 8058."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.articles.factories import make_article
from masthead.articles.models import AccessLevel
from masthead.membership.factories import SubscriptionFactory, TierFactory
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import (
    Audience,
    Cadence,
    Delivery,
    DeliveryStatus,
    NewsletterSubscription,
    Send,
    SendStatus,
    SubscriptionState,
)
from masthead.newsletters.sending import list_recipients
from masthead.newsletters.tasks import send_newsletter
from masthead.newsletters.tests.conftest import AFTER_THE_CUT, OPENING

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def letter(section):
    return NewsletterFactory(
        name="The Harbour Letter",
        slug="harbour-letter",
        sender_name="Harbour desk",
        sender_address="desk@example.org",
        reply_to="letters@example.org",
    )


def subscriber(newsletter, email, **kwargs):
    return NewsletterSubscriptionFactory(newsletter=newsletter, member__user__email=email, **kwargs)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def unsubscribe_path(message) -> str:
    return str(message.extra_headers["List-Unsubscribe"]).split(",")[0].strip("<> ").removeprefix(BASE)


def test_publishing_mails_each_subscriber_once_and_a_second_run_sends_nothing(letter, publish):
    for email in ("ana@example.org", "ben@example.org", "cai@example.org"):
        subscriber(letter, email)
    subscriber(letter, "gone@example.org", state=SubscriptionState.UNSUBSCRIBED)
    subscriber(letter, "bounced@example.org", state=SubscriptionState.BOUNCED)
    subscriber(letter, "complained@example.org", state=SubscriptionState.COMPLAINED)
    subscriber(NewsletterFactory(cadence=Cadence.WEEKLY), "weekly@example.org")
    subscriber(letter, "left@example.org", member__user__is_active=False)

    article = publish()

    assert recipients() == ["ana@example.org", "ben@example.org", "cai@example.org"]
    send = Send.objects.get()
    assert send.article_id == article.pk and send.status == SendStatus.DONE and send.finished_at
    assert sorted(Delivery.objects.values_list("status", flat=True)) == [DeliveryStatus.SENT] * 3

    # The task run again (a retry, a second worker), and the article published again: nothing more is sent.
    send_newsletter.enqueue(send_id=send.pk)
    Send.objects.filter(pk=send.pk).update(status=SendStatus.SENDING)
    send_newsletter.enqueue(send_id=send.pk)
    article.save_revision().publish()
    assert len(mail.outbox) == 3 and Send.objects.count() == 1 and Delivery.objects.count() == 3


def test_the_message_has_its_headers_parts_and_links(letter, publish):
    subscription = subscriber(letter, "ana@example.org")
    article = publish()
    [message] = mail.outbox
    assert message.subject == "Low tide at the harbour"
    assert message.from_email == "Harbour desk <desk@example.org>"
    assert message.reply_to == ["letters@example.org"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<{BASE}{path}>"
    assert path.startswith("/newsletters/unsubscribe/")
    assert "harbour-letter." in message.extra_headers["List-Id"]
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    url = article.get_full_url()
    assert f'<a href="{url}">View in your browser</a>' in html
    assert f"View in your browser: {url}" in message.body
    assert BASE + path in message.body and f'href="{BASE}{path}"' in html
    assert OPENING in message.body and OPENING in html
    # The link is this recipient's own: it unsubscribes their subscription and nobody else's.
    response = Client().get(path)
    assert response.status_code == 200 and subscription.newsletter.name in response.content.decode()


def test_each_recipient_gets_their_own_unsubscribe_link(letter, publish):
    subscriber(letter, "ana@example.org")
    subscriber(letter, "ben@example.org")
    publish()
    paths = {message.to[0]: unsubscribe_path(message) for message in mail.outbox}
    assert len(set(paths.values())) == 2
    for email, path in paths.items():
        other = [message for message in mail.outbox if message.to[0] != email][0]
        assert path not in other.body and path not in other.alternatives[0][0]


def test_a_paid_article_reaches_a_free_subscriber_as_the_preview_and_a_payer_whole(letter, publish):
    subscriber(letter, "free@example.org")
    paying = subscriber(letter, "paying@example.org")
    SubscriptionFactory(member=paying.member, tier=TierFactory(slug="supporter"))
    publish(access_level=AccessLevel.PAID)
    by_address = {message.to[0]: message for message in mail.outbox}
    free, payer = by_address["free@example.org"], by_address["paying@example.org"]
    for text in (free.body, free.alternatives[0][0]):
        assert OPENING in text and AFTER_THE_CUT not in text
        assert "Subscribe now to keep reading" in text
    for text in (payer.body, payer.alternatives[0][0]):
        assert OPENING in text and AFTER_THE_CUT in text
        assert "Subscribe now to keep reading" not in text


def test_one_click_unsubscribe_needs_no_session_token_or_page(letter, publish):
    subscription = subscriber(letter, "ana@example.org")
    publish()
    path = unsubscribe_path(mail.outbox[0])
    # What a mail client sends for RFC 8058: a POST with this body, no cookie, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.UNSUBSCRIBED
    publish(title="The next tide")
    assert len(mail.outbox) == 1  # nothing more for them


def test_unsubscribing_by_the_link_shows_a_button_first(letter, publish):
    subscription = subscriber(letter, "ana@example.org")
    publish()
    path = unsubscribe_path(mail.outbox[0])
    page = Client().get(path)
    assert page.status_code == 200 and "<button" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.SUBSCRIBED  # a mail scanner's GET unsubscribes nobody
    done = Client(enforce_csrf_checks=True).post(path)
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.UNSUBSCRIBED


def test_a_changed_unsubscribe_link_is_refused(client, letter):
    subscription = subscriber(letter, "ana@example.org")
    assert client.post(f"/newsletters/unsubscribe/{subscription.pk}:forged/").status_code == 400
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.SUBSCRIBED


def test_an_old_article_published_again_is_not_mailed(letter, section, django_capture_on_commit_callbacks):
    subscriber(letter, "ana@example.org")
    article = make_article(section=section, published_at=timezone.now() - timedelta(days=3), publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert mail.outbox == [] and not Send.objects.exists()


def test_a_paid_newsletter_goes_only_to_paying_members(section, publish):
    tier = TierFactory(slug="supporter")
    letter = NewsletterFactory(audience=Audience.PAID)
    letter.tiers.set([tier])
    subscriber(letter, "free@example.org")
    paying = subscriber(letter, "paying@example.org")
    SubscriptionFactory(member=paying.member, tier=tier)
    other_tier = subscriber(letter, "patron@example.org")
    SubscriptionFactory(member=other_tier.member, tier=TierFactory(slug="patron"))
    publish()
    assert recipients() == ["paying@example.org"]


def test_an_inactive_newsletter_sends_nothing(section, publish):
    letter = NewsletterFactory(is_active=False)
    subscriber(letter, "ana@example.org")
    publish()
    assert mail.outbox == []


def test_a_member_who_unsubscribes_after_the_list_is_made_is_skipped(letter, section):
    ana = subscriber(letter, "ana@example.org")
    subscriber(letter, "ben@example.org")
    make_article(section=section, published_at=timezone.now())  # the send is queued; its task waits for the commit
    send = Send.objects.get()
    # The list is written, then Ana leaves before her message is sent.
    list_recipients(send)
    NewsletterSubscription.objects.filter(pk=ana.pk).update(state=SubscriptionState.UNSUBSCRIBED)
    send_newsletter.enqueue(send_id=send.pk)
    assert recipients() == ["ben@example.org"]
    assert Delivery.objects.get(member=ana.member).status == DeliveryStatus.SKIPPED


def queries_to_send(letter, section, count: int) -> int:
    for n in range(count):
        subscriber(letter, f"reader{count}-{n}@example.org")
    make_article(section=section, published_at=timezone.now())  # the send is queued; its task waits
    send = Send.objects.get(status=SendStatus.QUEUED)
    with CaptureQueriesContext(connection) as queries:
        send_newsletter.enqueue(send_id=send.pk)
    assert len(mail.outbox) == count
    mail.outbox.clear()
    NewsletterSubscription.objects.update(state=SubscriptionState.UNSUBSCRIBED)
    return len(queries)


def test_each_recipient_costs_one_query_however_many_there_are(letter, section):
    """Who may read what is asked once per batch; each message costs only the write that marks it sent."""
    queries_to_send(letter, section, 1)  # the first send in a process warms caches (site, settings)
    two, six = queries_to_send(letter, section, 2), queries_to_send(letter, section, 6)
    assert six - two == 4
