"""What an editor chooses when publishing ("publish and send to <newsletter>, segment", or nobody), "send only"
for a published article, the preview per access class, and a test to oneself."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.articles.factories import AuthorFactory, make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.membership.factories import SubscriptionFactory, TierFactory
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import ArticleSendChoice, Delivery, Segment, Send

pytestmark = pytest.mark.django_db

OPENING = "The dredger arrived at dawn."
AFTER_THE_CUT = "Its log showed three nights at anchor off the shoal."


@pytest.fixture
def editor(client):
    user = StaffFactory(email="edna@example.org")
    client.force_login(user)
    return user


@pytest.fixture
def letters():
    """An "each new article" newsletter with a free and a paying subscriber, and a second one."""
    harbour = NewsletterFactory(name="The Harbour Letter", slug="harbour-letter")
    NewsletterSubscriptionFactory(newsletter=harbour, member__user__email="free@example.org")
    paying = NewsletterSubscriptionFactory(newsletter=harbour, member__user__email="paying@example.org")
    SubscriptionFactory(member=paying.member, tier=TierFactory(slug="supporter", name="Supporter"))
    other = NewsletterFactory(name="Quay notes", slug="quay-notes")
    NewsletterSubscriptionFactory(newsletter=other, member__user__email="quay@example.org")
    return harbour, other


def article_form(**extra) -> dict:
    form = nested_form_data(
        {
            "title": "The dredger's log",
            "slug": "the-dredgers-log",
            "standfirst": "Three nights nobody accounted for.",
            "article_authors": inline_formset([{"author": AuthorFactory().pk, "id": ""}], min=1),
            "body": streamfield(
                [
                    ("paragraph", rich_text(f"<p>{OPENING}</p>")),
                    ("preview_cut", ""),
                    ("paragraph", rich_text(f"<p>{AFTER_THE_CUT}</p>")),
                ]
            ),
            "language": "en",
            "first_published_at": "",
            "source_outlet": "",
            "original_url": "",
            "original_published_at": "",
            "republication_note": "",
            "access_level": "paid",
            "preview_paragraphs": "3",
        }
    )
    return form | extra


def publish(client, section, capture, **extra):
    with capture(execute=True):
        return client.post(reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk)),
                           article_form(**extra))


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def test_the_action_menu_offers_publish_and_send(editor, client, section, letters):
    page = client.get(reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk)))
    html = page.content.decode()
    harbour, _ = letters
    assert "Publish and send…" in html and 'value="masthead-publish-and-send"' in html
    assert f'value="{harbour.pk}:paid"' in html and "The Harbour Letter · paying members only" in html
    assert 'value="nobody"' in html


def test_publish_and_send_to_paying_members_of_one_newsletter(
    editor, client, section, letters, django_capture_on_commit_callbacks
):
    harbour, _ = letters
    response = publish(
        client, section, django_capture_on_commit_callbacks,
        **{"action-publish": "masthead-publish-and-send", "masthead_newsletter_send": f"{harbour.pk}:paid"},
    )
    assert response.status_code == 302
    article = ArticlePage.objects.get(slug="the-dredgers-log")
    assert article.live
    # Only the chosen newsletter (not "Quay notes", though it mails each new article), only its paying member.
    assert recipients() == ["paying@example.org"]
    send = Send.objects.get()
    assert send.segment == Segment.PAID and send.requested_by == editor and send.article_id == article.pk
    assert AFTER_THE_CUT in mail.outbox[0].body
    assert not ArticleSendChoice.objects.exists()  # used once


def test_publish_and_send_to_free_members_gives_them_the_preview(
    editor, client, section, letters, django_capture_on_commit_callbacks
):
    harbour, _ = letters
    publish(
        client, section, django_capture_on_commit_callbacks,
        **{"action-publish": "masthead-publish-and-send", "masthead_newsletter_send": f"{harbour.pk}:free"},
    )
    assert recipients() == ["free@example.org"]
    body = mail.outbox[0].body
    assert OPENING in body and AFTER_THE_CUT not in body and "Subscribe now to keep reading" in body


def test_publish_without_mailing(editor, client, section, letters, django_capture_on_commit_callbacks):
    publish(
        client, section, django_capture_on_commit_callbacks,
        **{"action-publish": "masthead-publish-and-send", "masthead_newsletter_send": "nobody"},
    )
    assert ArticlePage.objects.get(slug="the-dredgers-log").live
    assert mail.outbox == [] and not Send.objects.exists()


def test_plain_publish_mails_every_each_article_newsletter_to_everyone(
    editor, client, section, letters, django_capture_on_commit_callbacks
):
    publish(client, section, django_capture_on_commit_callbacks, **{"action-publish": "action-publish"})
    assert recipients() == ["free@example.org", "paying@example.org", "quay@example.org"]
    assert set(Send.objects.values_list("segment", flat=True)) == {Segment.EVERYONE}


def test_a_stale_or_forged_choice_mails_nobody_and_says_why(
    editor, client, section, letters, django_capture_on_commit_callbacks
):
    response = publish(
        client, section, django_capture_on_commit_callbacks,
        **{"action-publish": "masthead-publish-and-send", "masthead_newsletter_send": "999999:everyone"},
    )
    assert response.status_code == 302
    assert ArticlePage.objects.get(slug="the-dredgers-log").live
    # Not the default newsletters either: the editor asked for a send that cannot be made.
    assert mail.outbox == [] and not Send.objects.exists()
    follow = client.get(response["Location"]).content.decode()
    assert "Published without mailing it: That newsletter does not exist" in follow


@pytest.fixture
def live_article(section):
    article = make_article(
        section=section, title="Silt in the channel",
        body=[paragraph(OPENING), {"type": "preview_cut", "value": None}, paragraph(AFTER_THE_CUT)],
        published_at=timezone.now(), publish=False,
    )
    article.access_level = AccessLevel.PAID
    article.save_revision().publish()  # no newsletter yet: nothing is mailed
    return article


def test_send_only_mails_a_published_article_once(editor, client, live_article, letters,
                                                  django_capture_on_commit_callbacks):
    harbour, _ = letters
    url = reverse("newsletters_admin:page_mail", args=[live_article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"newsletter": harbour.pk, "segment": "everyone", "action": "send"})
    send = Send.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("newsletters_admin:send", args=[send.pk])
    assert recipients() == ["free@example.org", "paying@example.org"]
    again = client.post(url, {"newsletter": harbour.pk, "segment": "everyone", "action": "send"}, follow=True)
    assert "was mailed to The Harbour Letter already" in again.content.decode()
    assert Send.objects.count() == 1 and len(mail.outbox) == 2


def test_the_preview_shows_each_access_class_its_own_message(editor, client, live_article, letters):
    harbour, _ = letters
    tier = TierFactory._meta.model.objects.get(slug="supporter")
    url = reverse("newsletters_admin:page_mail_preview", args=[live_article.pk])
    free = client.get(url, {"newsletter": harbour.pk, "access": "free"})
    paying = client.get(url, {"newsletter": harbour.pk, "access": f"tier-{tier.pk}"})
    assert free.status_code == paying.status_code == 200
    assert "private" in free["Cache-Control"] and "no-store" in free["Cache-Control"]
    assert OPENING in free.content.decode() and AFTER_THE_CUT not in free.content.decode()
    assert AFTER_THE_CUT in paying.content.decode()
    page = client.get(reverse("newsletters_admin:page_mail", args=[live_article.pk])).content.decode()
    assert "A paying member (Supporter)" in page and "Send a test to me (edna@example.org)" in page


def test_a_test_goes_to_the_editor_only_and_is_not_a_delivery(editor, client, live_article, letters):
    harbour, _ = letters
    response = client.post(
        reverse("newsletters_admin:page_mail", args=[live_article.pk]),
        {"newsletter": harbour.pk, "access": "free", "action": "test"},
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["edna@example.org"] and message.subject == "[Test] Silt in the channel"
    assert AFTER_THE_CUT not in message.body
    assert not Send.objects.exists() and not Delivery.objects.exists()


def test_a_reader_cannot_reach_the_mail_pages(client, live_article, letters):
    client.force_login(UserFactory())
    url = reverse("newsletters_admin:page_mail", args=[live_article.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"newsletter": letters[0].pk, "action": "send"}).status_code in (302, 403)
    assert not Send.objects.exists() and mail.outbox == []
