"""Editors manage newsletters in the Wagtail admin."""

import pytest
from django.urls import reverse

from masthead.accounts.factories import StaffFactory
from masthead.articles.factories import make_article
from masthead.newsletters.factories import NewsletterFactory
from masthead.newsletters.models import Cadence, Newsletter, Send

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(StaffFactory())
    return client


def form(**overrides):
    data = {
        "name": "The weekly briefing",
        "slug": "weekly-briefing",
        "description": "The week's pieces, on Friday morning.",
        "sender_name": "The desk",
        "sender_address": "desk@example.org",
        "reply_to": "",
        "language": "en",
        "audience": "everyone",
        "cadence": "weekly",
        "send_weekday": "4",
        "send_time": "07:30",
        "is_active": "on",
    }
    return data | overrides


def test_editor_adds_a_weekly_newsletter(editor_client):
    response = editor_client.post(reverse("wagtailsnippets_newsletters_newsletter:add"), form())
    assert response.status_code == 302
    newsletter = Newsletter.objects.get()
    assert newsletter.cadence == Cadence.WEEKLY and newsletter.send_weekday == 4
    assert newsletter.send_time.hour == 7 and newsletter.sender_address == "desk@example.org"


def test_a_digest_without_its_time_is_refused_with_a_message(editor_client):
    response = editor_client.post(
        reverse("wagtailsnippets_newsletters_newsletter:add"), form(send_time="", send_weekday="")
    )
    assert response.status_code == 200 and not Newsletter.objects.exists()
    assert "A digest needs the time of day it is sent." in response.content.decode()


def test_a_newsletter_that_sent_mail_is_kept_with_a_message(editor_client, section):
    newsletter = NewsletterFactory()
    article = make_article(section=section)
    Send.objects.create(newsletter=newsletter, article=article, subject=article.title)
    response = editor_client.post(
        reverse("wagtailsnippets_newsletters_newsletter:delete", args=[newsletter.pk]), follow=True
    )
    assert response.status_code == 200 and "cannot be deleted" in response.content.decode()
    assert Newsletter.objects.filter(pk=newsletter.pk).exists()
