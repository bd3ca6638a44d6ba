"""Hand-written issues: a page type of their own; publishing one mails it to its newsletter once, and its page is
the "view in browser" address, open on the web as far as the newsletter's audience is."""

import pytest
from django.core import mail
from django.test import Client
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from masthead.accounts.factories import StaffFactory
from masthead.articles.factories import site_home
from masthead.membership.factories import SubscriptionFactory, TierFactory
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import Audience, Cadence, NewsletterIndexPage, NewsletterIssue, Send, SendKind
from masthead.newsletters.tasks import send_newsletter

pytestmark = pytest.mark.django_db

BODY = [
    {"type": "heading", "value": "From the editor"},
    {"type": "paragraph", "value": "<p>This week the harbour office opened its ledgers to us.</p>"},
    {"type": "quote", "value": "We had nothing to hide, only nobody asked."},
]


@pytest.fixture
def letter():
    return NewsletterFactory(name="Letters from the desk", slug="desk-letters", cadence=Cadence.MANUAL)


@pytest.fixture
def index(section):
    index = site_home().add_child(instance=NewsletterIndexPage(title="Newsletters", slug="newsletters"))
    index.save_revision().publish()
    return index


def write_issue(index, letter, *, title="The ledgers, opened", publish=True, capture=None):
    issue = index.add_child(
        instance=NewsletterIssue(
            title=title, slug="the-ledgers", newsletter=letter, standfirst="A week in the archive.", body=BODY,
            live=False,
        )
    )
    if publish:
        if capture is not None:
            with capture(execute=True):
                issue.save_revision().publish()
        else:
            issue.save_revision().publish()
    return NewsletterIssue.objects.get(pk=issue.pk)


def test_publishing_an_issue_mails_it_once(index, letter, django_capture_on_commit_callbacks):
    NewsletterSubscriptionFactory(newsletter=letter, member__user__email="ana@example.org")
    NewsletterSubscriptionFactory(newsletter=NewsletterFactory(), member__user__email="other@example.org")
    issue = write_issue(index, letter, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        issue.save_revision().publish()  # published again after a correction: not mailed again
    [message] = mail.outbox
    assert message.to == ["ana@example.org"] and message.subject == "The ledgers, opened"
    send = Send.objects.get()
    assert send.kind == SendKind.ISSUE and send.issue_id == issue.pk
    url = issue.get_full_url()
    assert f"View in your browser: {url}" in message.body
    assert "FROM THE EDITOR" in message.body and "opened its ledgers to us" in message.body
    html = message.alternatives[0][0]
    assert f'<a href="{url}">View in your browser</a>' in html and "<h2" in html and "opened its ledgers" in html
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_the_issue_has_a_web_view(index, letter):
    issue = write_issue(index, letter)
    response = Client().get(issue.url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The ledgers, opened" in page and "opened its ledgers to us" in page and "Letters from the desk" in page
    listing = Client().get(index.url).content.decode()
    assert issue.url in listing


def test_a_paying_members_issue_is_not_open_on_the_web(index):
    tier = TierFactory(slug="supporter")
    paid = NewsletterFactory(audience=Audience.PAID, cadence=Cadence.MANUAL)
    paid.tiers.set([tier])
    issue = write_issue(index, paid)
    assert "opened its ledgers" not in Client().get(issue.url).content.decode()
    payer = NewsletterSubscriptionFactory(newsletter=paid).member
    SubscriptionFactory(member=payer, tier=tier)
    client = Client()
    client.force_login(payer.user)
    assert "opened its ledgers" in client.get(issue.url).content.decode()


def test_an_issue_of_an_inactive_newsletter_or_a_draft_is_not_mailed(index, django_capture_on_commit_callbacks):
    inactive = NewsletterFactory(is_active=False, cadence=Cadence.MANUAL)
    NewsletterSubscriptionFactory(newsletter=inactive, member__user__email="ana@example.org")
    write_issue(index, inactive, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not Send.objects.exists()


def test_issues_live_under_the_newsletters_index_beside_the_sections(index, letter):
    assert NewsletterIssue.can_exist_under(index)
    assert not NewsletterIssue.can_exist_under(site_home())
    assert NewsletterIndexPage.can_exist_under(site_home())


def test_an_editor_publishes_an_issue_in_the_admin(index, letter, client, django_capture_on_commit_callbacks):
    NewsletterSubscriptionFactory(newsletter=letter, member__user__email="ana@example.org")
    client.force_login(StaffFactory())
    data = nested_form_data(
        {
            "title": "Notes from the quay",
            "slug": "notes-from-the-quay",
            "newsletter": letter.pk,
            "standfirst": "",
            "body": streamfield([("paragraph", rich_text("<p>The cranes were silent all week.</p>"))]),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/pages/add/newsletters/newsletterissue/{index.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    issue = NewsletterIssue.objects.get(slug="notes-from-the-quay")
    assert issue.live
    [message] = mail.outbox
    assert message.subject == "Notes from the quay" and "The cranes were silent all week." in message.body


def test_an_issue_unpublished_before_its_send_ran_is_not_mailed(index, letter):
    NewsletterSubscriptionFactory(newsletter=letter, member__user__email="ana@example.org")
    issue = write_issue(index, letter)  # the send is written; its task waits for the commit, not run here
    send = Send.objects.get()
    issue.unpublish()
    send_newsletter.enqueue(send_id=send.pk)
    send.refresh_from_db()
    assert mail.outbox == [] and send.status == "done"
    assert list(send.deliveries.values_list("status", flat=True)) == ["skipped"]
