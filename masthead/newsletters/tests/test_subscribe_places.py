"""The Subscribe form beyond its own page: at the end of every article and in the gate's soft prompt."""

import re

import pytest
from django.core import mail
from django.test import Client
from wagtail.models import Site

from masthead.articles.factories import make_article, paragraph
from masthead.membership.models import GateSettings
from masthead.newsletters.factories import NewsletterFactory

pytestmark = pytest.mark.django_db


def soft_prompt():
    gate = GateSettings.for_site(Site.objects.get(is_default_site=True))
    gate.mode = "soft_prompt"
    gate.save()


def test_the_soft_prompt_offers_the_subscribe_form_that_works(section, django_capture_on_commit_callbacks):
    NewsletterFactory(name="New at the harbour", default_on_sign_up=True)
    soft_prompt()
    article = make_article(section=section, body=[paragraph("The pilots' boat went out twice.")])
    client = Client(enforce_csrf_checks=True)
    html = client.get(article.url).content.decode()
    prompt = html[html.index('class="soft-prompt"'):html.index("</details>", html.index('class="soft-prompt"'))]
    assert "Subscribe now to keep reading" in prompt and 'action="/subscribe/"' in prompt
    assert 'id="id_subscribe_email_prompt"' in prompt
    assert html.count('id="id_subscribe_email"') == 1  # the end-of-article box keeps its own id
    # The page's shared HTML got this reader's token in its hole; posting the prompt's form with it works.
    form = re.search(r'<form class="subscribe-form".*?</form>', prompt, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/subscribe/", {"email": "reader@example.org", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    [confirmation] = mail.outbox
    assert confirmation.to == ["reader@example.org"]


def test_no_newsletter_offered_no_prompt_form(section):
    soft_prompt()
    article = make_article(section=section)
    html = Client().get(article.url).content.decode()
    assert 'class="soft-prompt"' in html and "subscribe-form" not in html


def test_the_end_of_an_article_offers_it(section):
    NewsletterFactory(default_on_sign_up=True)
    html = Client().get(make_article(section=section).url).content.decode()
    assert 'aside class="newsletter-signup"' in html and "Subscribe by e-mail" in html
