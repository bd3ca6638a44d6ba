"""A send that two workers share, or that a dead worker left half done, still delivers each message once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import PageViewRestriction

from masthead.articles.factories import make_article
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import Delivery, DeliveryStatus, Send, SendStatus
from masthead.newsletters.sending import claim_batch, list_recipients
from masthead.newsletters.tasks import resume_unfinished_sends

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(section):
    """A send listed for four subscribers, its task not run yet (the publish's commit is not run here)."""
    letter = NewsletterFactory()
    for n in range(4):
        NewsletterSubscriptionFactory(newsletter=letter, member__user__email=f"reader{n}@example.org")
    make_article(section=section, published_at=timezone.now())
    send = Send.objects.get()
    list_recipients(send)
    return send


def test_two_workers_never_claim_the_same_message(send):
    first = claim_batch(send, 3)
    second = claim_batch(send, 3)
    assert len(first) == 3 and len(second) == 1
    assert not {delivery.pk for delivery in first} & {delivery.pk for delivery in second}
    assert claim_batch(send, 3) == []


def test_listing_twice_adds_nobody(send):
    assert list_recipients(send) == 0
    assert Delivery.objects.filter(send=send).count() == 4


def test_a_dead_workers_batch_is_sent_after_the_claim_goes_stale(send, settings):
    settings.MASTHEAD_NEWSLETTER_CLAIM_MINUTES = 15
    claimed = claim_batch(send, 2)  # a worker took two messages, then was killed before sending them
    resume_unfinished_sends.enqueue()
    assert len(mail.outbox) == 2  # the others went; the claimed two wait for their claim to go stale
    assert Send.objects.get().status == SendStatus.SENDING

    Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
        claimed_at=timezone.now() - timedelta(minutes=16)
    )
    resume_unfinished_sends.enqueue()
    assert sorted(message.to[0] for message in mail.outbox) == [f"reader{n}@example.org" for n in range(4)]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Send.objects.get().status == SendStatus.DONE
    assert resume_unfinished_sends.enqueue().return_value == 0


def test_a_right_to_left_article_is_mailed_right_to_left(section, django_capture_on_commit_callbacks):
    NewsletterSubscriptionFactory(newsletter=NewsletterFactory(), member__user__email="reader@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        make_article(section=section, language="ar", title="المد والجزر", published_at=timezone.now())
    [message] = mail.outbox
    assert '<html lang="ar" dir="rtl">' in message.alternatives[0][0]


def test_an_article_unpublished_before_its_send_ran_is_not_mailed(send):
    send.article.unpublish()
    resume_unfinished_sends.enqueue()
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SKIPPED}
    assert Send.objects.get().status == SendStatus.DONE


def test_a_view_restricted_article_is_never_mailed(section, django_capture_on_commit_callbacks):
    NewsletterSubscriptionFactory(newsletter=NewsletterFactory(), member__user__email="reader@example.org")
    article = make_article(section=section, published_at=timezone.now(), publish=False)
    PageViewRestriction.objects.create(page=article, restriction_type="password", password="harbour")
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert mail.outbox == [] and not Send.objects.exists()
