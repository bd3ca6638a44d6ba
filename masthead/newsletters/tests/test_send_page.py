"""Each send's page in the admin: counts, progress, and Pause and Resume, which the sending loop respects."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.articles.factories import make_article
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import (
    Delivery,
    DeliveryStatus,
    NewsletterSubscription,
    Send,
    SendStatus,
    SubscriptionState,
)
from masthead.newsletters.send_actions import do_pause
from masthead.newsletters.tasks import resume_unfinished_sends, send_newsletter

pytestmark = pytest.mark.django_db


class PausingBackend(EmailBackend):
    """The editor presses Pause while the first batch is being sent (the mail server itself is locmem)."""

    def send_messages(self, messages):
        for send in Send.objects.exclude(status=SendStatus.PAUSED):
            do_pause(send=send)
        return super().send_messages(messages)


@pytest.fixture
def send(section):
    """A send for five subscribers, not started (the publish's commit is not run here)."""
    letter = NewsletterFactory(name="The Harbour Letter")
    for n in range(5):
        NewsletterSubscriptionFactory(newsletter=letter, member__user__email=f"reader{n}@example.org")
    make_article(section=section, title="Low water", published_at=timezone.now())
    return Send.objects.get()


@pytest.fixture
def editor(client):
    client.force_login(StaffFactory())
    return client


def test_a_paused_send_claims_no_new_batch_and_resume_finishes_it(send, settings, editor,
                                                                    django_capture_on_commit_callbacks):
    settings.MASTHEAD_NEWSLETTER_BATCH_SIZE = 2
    settings.EMAIL_BACKEND = "masthead.newsletters.tests.test_send_page.PausingBackend"
    send_newsletter.enqueue(send_id=send.pk)
    # The batch in flight finished (two messages); no other batch was claimed.
    assert len(mail.outbox) == 2
    send.refresh_from_db()
    assert send.status == SendStatus.PAUSED
    assert Delivery.objects.filter(send=send, status=DeliveryStatus.QUEUED).count() == 3
    assert not Delivery.objects.filter(send=send, status=DeliveryStatus.SENDING).exists()
    # Neither the periodic resume nor a retry of the task sends a paused send.
    resume_unfinished_sends.enqueue()
    send_newsletter.enqueue(send_id=send.pk)
    assert len(mail.outbox) == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(reverse("newsletters_admin:resume", args=[send.pk]))
    assert response.status_code == 302
    send.refresh_from_db()
    assert send.status == SendStatus.DONE and len(mail.outbox) == 5
    assert len({message.to[0] for message in mail.outbox}) == 5


def test_pause_from_the_page_before_the_send_starts(send, editor):
    assert editor.post(reverse("newsletters_admin:pause", args=[send.pk])).status_code == 302
    send_newsletter.enqueue(send_id=send.pk)
    send.refresh_from_db()
    assert send.status == SendStatus.PAUSED and mail.outbox == [] and not Delivery.objects.exists()
    page = editor.get(reverse("newsletters_admin:send", args=[send.pk])).content.decode()
    assert "Paused by an editor" in page and ">Resume</button>" in page and ">Pause</button>" not in page


def test_pause_and_resume_are_posts_for_those_allowed(send, client):
    pause = reverse("newsletters_admin:pause", args=[send.pk])
    assert client.post(pause).status_code == 302  # signed out: to the sign-in page
    viewer = UserFactory(is_staff=False)
    group = Group.objects.create(name="Send viewers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_send")
    )
    viewer.groups.add(group)
    client.force_login(viewer)
    assert client.get(reverse("newsletters_admin:send", args=[send.pk])).status_code == 200
    # Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard and a message.
    refused = client.post(pause)
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    send.refresh_from_db()
    assert send.status == SendStatus.QUEUED
    group.permissions.add(Permission.objects.get(codename="change_send"))
    viewer = type(viewer).objects.get(pk=viewer.pk)  # a fresh permission cache
    client.force_login(viewer)
    assert client.get(pause).status_code == 405
    assert client.post(pause).status_code == 302
    send.refresh_from_db()
    assert send.status == SendStatus.PAUSED
    # Pausing what is paused says so, and changes nothing.
    again = client.post(pause, follow=True).content.decode()
    assert "there is nothing to pause" in again


def test_the_page_counts_what_happened(send, editor):
    send_newsletter.enqueue(send_id=send.pk)
    deliveries = list(Delivery.objects.filter(send=send).order_by("pk"))
    Delivery.objects.filter(pk=deliveries[0].pk).update(status=DeliveryStatus.FAILED, last_error="550 no such user")
    states = [SubscriptionState.UNSUBSCRIBED, SubscriptionState.BOUNCED, SubscriptionState.COMPLAINED]
    for delivery, state in zip(deliveries[1:4], states):
        NewsletterSubscription.objects.filter(member=delivery.member, newsletter=send.newsletter).update(
            state=state, state_changed_at=timezone.now()
        )
    data = editor.get(reverse("newsletters_admin:send", args=[send.pk]), {"format": "json"}).json()
    assert data["status"] == "done" and data["total"] == 5
    assert (data["sent"], data["failed"], data["queued"]) == (4, 1, 0)
    assert (data["unsubscribed"], data["bounced"], data["complained"]) == (1, 1, 1)
    assert data["done_percent"] == 100
    page = editor.get(reverse("newsletters_admin:send", args=[send.pk])).content.decode()
    assert '<progress id="send-progress" max="100" value="100"' in page and 'data-count="bounced">1<' in page


def test_the_list_of_sends_costs_the_same_queries_however_many(section, editor):
    letter = NewsletterFactory()
    NewsletterSubscriptionFactory(newsletter=letter)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = editor.get(reverse("newsletters_admin:sends"))
        assert response.status_code == 200
        return len(captured)

    make_article(section=section, published_at=timezone.now())
    queries()  # the first admin page of a test makes the publication's settings row once
    one = queries()
    for _ in range(4):
        make_article(section=section, published_at=timezone.now())
    assert Send.objects.count() == 5
    assert queries() == one
    assert "Newsletter sends" in editor.get(reverse("newsletters_admin:sends")).content.decode()
