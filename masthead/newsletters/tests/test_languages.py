"""Newsletters speak their reader's language: a French digest, an Arabic issue (mail and web page), the gate's
subscribe prompt on an Arabic article, and the error of a bad link, with none of the English interface left."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from wagtail.models import Site

from masthead.articles.factories import make_article, paragraph, site_home
from masthead.articles.models import AccessLevel
from masthead.membership.factories import TierFactory
from masthead.membership.models import GateSettings
from masthead.newsletters.digests import do_queue_digest
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import Audience, Cadence, Newsletter, NewsletterIndexPage, NewsletterIssue
from masthead.newsletters.tokens import make_unsubscribe_token

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
FRIDAY_0700 = datetime(2026, 12, 4, 7, 0, tzinfo=OSLO)
# The newsletters' interface in English, as the mails and pages write it; none may show in another language.
ENGLISH_MAIL = [
    "View in your browser", "Read it in your browser", "Read it on the site", "Unsubscribe", "You receive",
    "because you subscribed", "Subscribe now to keep reading", "continue on the site",
]


@pytest.fixture(autouse=True)
def _oslo(settings):
    settings.TIME_ZONE = "Europe/Oslo"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def english_in(*texts: str) -> list[str]:
    return [phrase for phrase in ENGLISH_MAIL if any(phrase in text for text in texts)]


def test_a_french_digest_is_french_subject_included(section, django_capture_on_commit_callbacks):
    letter = NewsletterFactory(
        name="La Marée du matin", slug="maree", cadence=Cadence.DAILY, send_time=time(7, 0), language="fr"
    )
    Newsletter.objects.filter(pk=letter.pk).update(created_at=FRIDAY_0700 - timedelta(days=30))
    letter.refresh_from_db()
    NewsletterSubscriptionFactory(newsletter=letter, member__user__email="ana@example.org")
    for title, level in (("Le pont a tenu", AccessLevel.PUBLIC), ("La digue cède", AccessLevel.PAID)):
        article = make_article(
            section=section, title=title, language="fr", published_at=FRIDAY_0700 - timedelta(hours=2),
            body=[paragraph("Début."), {"type": "preview_cut", "value": None}, paragraph("Suite réservée.")],
            publish=False,
        )
        article.access_level = level
        article.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(minutes=2))
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == "La Marée du matin, 4 décembre 2026"
    assert "Le lire dans votre navigateur" in message.body and "Se désabonner" in html
    assert "Abonnez-vous pour continuer à lire et accéder à toutes les archives" in message.body  # the paid one
    assert "<strong>Abonnez-vous pour continuer à lire" in html and "suite sur le site</a>" in html
    assert english_in(message.body, html) == []


@pytest.fixture
def index(section):
    index = site_home().add_child(instance=NewsletterIndexPage(title="Newsletters", slug="newsletters"))
    index.save_revision().publish()
    return index


def write_issue(index, letter, capture):
    issue = index.add_child(
        instance=NewsletterIssue(
            title="دفاتر الميناء", slug="ledgers", newsletter=letter, standfirst="أسبوع في الأرشيف.",
            body=[{"type": "paragraph", "value": "<p>فتح مكتب الميناء دفاتره لنا.</p>"}], live=False,
        )
    )
    with capture(execute=True):
        issue.save_revision().publish()
    return NewsletterIssue.objects.get(pk=issue.pk)


def test_an_arabic_issue_speaks_arabic_in_the_mail_and_on_its_page(index, django_capture_on_commit_callbacks):
    letter = NewsletterFactory(name="رسائل المكتب", slug="desk", cadence=Cadence.MANUAL, language="ar")
    NewsletterSubscriptionFactory(newsletter=letter, member__user__email="ana@example.org")
    issue = write_issue(index, letter, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "اعرضها في المتصفح" in message.body and "إلغاء الاشتراك" in html
    assert english_in(message.body, html) == []
    page = Client().get(issue.url).content.decode()
    assert '<html lang="ar" dir="rtl">' in page and "دفاتره" in page
    assert "Skip to content" not in page and ">Sign in<" not in page


def test_a_paying_members_issue_says_so_in_its_language(index, django_capture_on_commit_callbacks):
    tier = TierFactory(slug="supporter")
    letter = NewsletterFactory(slug="desk", audience=Audience.PAID, cadence=Cadence.MANUAL, language="fr")
    letter.tiers.set([tier])
    issue = write_issue(index, letter, django_capture_on_commit_callbacks)
    page = Client().get(issue.url).content.decode()
    assert "est réservé aux membres payants" in page and "Voir les abonnements" in page
    assert "for paying members" not in page and "دفاتره" not in page


def test_the_subscribe_prompt_speaks_the_articles_language(section):
    NewsletterFactory(name="Nouveautés", default_on_sign_up=True)
    gate = GateSettings.for_site(Site.objects.get(is_default_site=True))
    gate.mode = "soft_prompt"
    gate.save()
    article = make_article(section=section, language="ar", body=[paragraph("خرج قارب المرشدين مرتين.")])
    html = Client().get(article.url).content.decode()
    prompt = html[html.index('class="newsletter-prompt"'):html.index("</form>", html.index('class="newsletter-prompt"'))]
    assert "اشترك الآن لتواصل القراءة" in prompt and ">اشترك</button>" in prompt
    assert "Subscribe" not in prompt.replace("subscribe", "") and "E-mail address" not in prompt


def test_a_bad_confirmation_link_is_explained_in_the_pages_language(client):
    page = client.get("/subscribe/confirm/not-a-token/?lang=fr").content.decode()
    assert "Ce lien ne vient pas de nous, ou il a été modifié en chemin" in page
    assert "not one we sent" not in page


def test_subscribing_from_an_arabic_page_stays_arabic_to_the_end(section, django_capture_on_commit_callbacks):
    NewsletterFactory(name="جديد الميناء", default_on_sign_up=True)
    article = make_article(section=section, language="ar", body=[paragraph("خرج قارب المرشدين مرتين.")])
    client = Client()
    page = client.get(article.url).content.decode()
    action = re.search(r'<form class="subscribe-form" method="post" action="([^"]+)"', page).group(1)
    assert action == "/subscribe/?lang=ar"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(action, {"email": "reader@example.org"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in sent and "Check your inbox" not in sent
    [confirmation] = mail.outbox
    assert "Someone, probably you" not in confirmation.body and "Confirm your subscription" not in confirmation.subject
    link = re.search(r"http\S+/subscribe/confirm/\S+", confirmation.body).group(0)
    assert link.endswith("?lang=ar")
    address = urlsplit(link)
    confirm_page = client.get(f"{address.path}?{address.query}").content.decode()
    assert '<html lang="ar" dir="rtl">' in confirm_page and ">Confirm<" not in confirm_page


def test_an_arabic_newsletters_unsubscribe_page_is_arabic(client):
    subscription = NewsletterSubscriptionFactory(newsletter=NewsletterFactory(name="رسائل", language="ar"))
    token = make_unsubscribe_token(subscription.pk)
    page = client.get(reverse("newsletters:unsubscribe", kwargs={"token": token})).content.decode()
    assert '<html lang="ar" dir="rtl">' in page and "إلغاء الاشتراك" in page and "Stop sending" not in page
