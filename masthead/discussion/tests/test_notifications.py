"""Reply and thread notifications, sent through the task queue after the commit, with one-click unsubscribe."""

import pytest

from masthead.accounts.factories import StaffFactory
from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.actions.moderation import check_moderate
from masthead.discussion.actions.subscriptions import do_confirm_guest_address, do_subscribe_thread
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.factories import make_comment
from masthead.discussion.models import CommentStatus, Subscription

pytestmark = pytest.mark.django_db


def post(article, user, body, **kwargs):
    return check_post_comment(page=article, user=user, body=body, **kwargs)


def test_reply_notifies_the_author_who_subscribed_with_one_click_unsubscribe(
    smtp_inbox, article, member, other_member, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mine = post(article, member, "My view on pipes.", subscribe=True)
    assert len(smtp_inbox) == 0  # nobody else follows the thread yet
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(article, other_member, "I **disagree**.", parent_id=mine.pk)
        assert len(smtp_inbox) == 0  # nothing is sent before the transaction commits
    assert len(callbacks) == 2  # the reply notice, and search queueing the reply's indexing (search/receivers.py)
    [message] = smtp_inbox.to(member.email)
    assert "replied to your comment" in message["Subject"] and "Where the water goes" in message["Subject"]
    assert "I **disagree**." in message.get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(message["List-Unsubscribe"]).strip().strip("<>")
    token = Subscription.objects.get(user=member).token
    assert url == f"http://127.0.0.1:8000/discussion/unsubscribe/{token}/"
    # The one-click POST a mail client sends carries no CSRF token and no cookie.
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(url.removeprefix("http://127.0.0.1:8000"),
                                                     {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.filter(user=member).exists()
    assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 404


def test_thread_followers_get_new_comments_but_not_their_own(
    smtp_inbox, article, member, other_member, client, django_capture_on_commit_callbacks
):
    client.force_login(member)
    assert client.post(f"/discussion/{article.pk}/subscribe/").status_code == 303
    with django_capture_on_commit_callbacks(execute=True):
        post(article, member, "My own comment")
    assert len(smtp_inbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        post(article, other_member, "Someone else's comment")
    [message] = smtp_inbox.messages
    assert message["To"] == member.email and message["Subject"].startswith("New comment on")


def test_held_comments_notify_only_once_approved(
    smtp_inbox, article, member, other_member, django_capture_on_commit_callbacks
):
    do_subscribe_thread(thread=thread_for(article), user=member)
    held = make_comment(article=article, author=other_member, status=CommentStatus.PENDING)
    assert len(smtp_inbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        check_moderate(comment_ids=[held.pk], action="approve", editor=StaffFactory())
    assert len(smtp_inbox.to(member.email)) == 1


def test_unsubscribe_page_asks_before_removing(client, article, member):
    subscription = do_subscribe_thread(thread=thread_for(article), user=member)
    html = client.get(f"/discussion/unsubscribe/{subscription.token}/").content.decode()
    assert "Stop e-mails about" in html and Subscription.objects.exists()
    assert client.post(f"/discussion/unsubscribe/{subscription.token}/").status_code == 200
    assert not Subscription.objects.exists()


# Guests


def guest_post(article, body, *, name="Gus Guest", email="gus@example.org", **kwargs):
    from django.contrib.auth.models import AnonymousUser

    return check_post_comment(page=article, user=AnonymousUser(), body=body, guest_name=name,
                                      guest_email=email, ip="198.51.100.7", **kwargs)


def _link(message, label: str) -> str:
    line = next(line for line in message.get_content().splitlines() if label in line)
    return line.split("http://127.0.0.1:8000", 1)[1].strip()


def test_a_guest_first_gets_only_a_confirmation_link_then_replies_once_confirmed(
    smtp_inbox, article, other_member, django_capture_on_commit_callbacks
):
    from django.test import Client

    from masthead.discussion.factories import allow_guests
    from masthead.discussion.models import GuestAddress

    allow_guests()
    with django_capture_on_commit_callbacks(execute=True):
        mine = guest_post(article, "A guest's view.", email="Gus@Example.org", subscribe=True)
    [confirmation] = smtp_inbox.to("gus@example.org")
    assert "Confirm your e-mail address" in confirmation["Subject"]
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    confirm = _link(confirmation, "Confirm that you want")
    address = GuestAddress.objects.get()
    assert address.email == "gus@example.org" and confirm == f"/discussion/confirm/{address.token}/"

    # Unconfirmed: a reply sends the guest nothing.
    with django_capture_on_commit_callbacks(execute=True):
        post(article, other_member, "First reply.", parent_id=mine.pk)
    assert len(smtp_inbox) == 1

    # Opening the link (as a mail scanner would) confirms nothing; the button's POST does.
    anonymous = Client(enforce_csrf_checks=True)
    assert "Confirm gus@example.org?" in anonymous.get(confirm).content.decode()
    address.refresh_from_db()
    assert not address.is_confirmed
    assert "Address confirmed" in anonymous.post(confirm).content.decode()
    address.refresh_from_db()
    assert address.is_confirmed

    with django_capture_on_commit_callbacks(execute=True):
        post(article, other_member, "Second reply.", parent_id=mine.pk)
    notification = smtp_inbox.messages[-1]
    assert notification["To"] == "gus@example.org"
    assert "replied to your comment" in notification["Subject"] and "Second reply." in notification.get_content()
    assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(notification["List-Unsubscribe"]).strip().strip("<>").removeprefix("http://127.0.0.1:8000")
    assert anonymous.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscription.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        post(article, other_member, "Third reply.", parent_id=mine.pk)
    assert len(smtp_inbox) == 2


def test_a_confirmed_guest_is_not_asked_again_and_pending_links_are_not_resent_at_once(
    smtp_inbox, article, other_member, django_capture_on_commit_callbacks
):
    from masthead.discussion.factories import allow_guests
    from masthead.discussion.models import GuestAddress

    allow_guests()
    with django_capture_on_commit_callbacks(execute=True):
        first = guest_post(article, "One.", subscribe=True)
        guest_post(article, "Two.", subscribe=True)
    assert len(smtp_inbox) == 1  # one confirmation, not one per comment
    do_confirm_guest_address(token=GuestAddress.objects.get().token)
    with django_capture_on_commit_callbacks(execute=True):
        guest_post(article, "Three.", subscribe=True)
    assert len(smtp_inbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        post(article, other_member, "A reply.", parent_id=first.pk)
    assert "replied to your comment" in smtp_inbox.messages[-1]["Subject"]


def test_a_guest_is_not_told_about_their_own_reply(smtp_inbox, article, django_capture_on_commit_callbacks):
    from masthead.discussion.factories import allow_guests
    from masthead.discussion.models import GuestAddress

    allow_guests()
    with django_capture_on_commit_callbacks(execute=True):
        mine = guest_post(article, "Mine.", subscribe=True)
    do_confirm_guest_address(token=GuestAddress.objects.get().token)
    with django_capture_on_commit_callbacks(execute=True):
        guest_post(article, "Answering myself.", parent_id=mine.pk)
    assert len(smtp_inbox) == 1  # only the confirmation


def test_the_guest_form_offers_replies_by_e_mail(client, article):
    from masthead.discussion.factories import allow_guests

    allow_guests()
    html = client.get(article.url).content.decode()
    assert "we first send a link to confirm the address" in html


def test_an_unknown_confirmation_link_is_a_404(client):
    assert client.get("/discussion/confirm/nope/").status_code == 404
    assert client.post("/discussion/confirm/nope/").status_code == 404


def test_followers_who_may_not_read_the_whole_article_are_not_sent_its_comments(
    smtp_inbox, article, member, other_member, django_capture_on_commit_callbacks
):
    """A comment can quote gated text: a follower whose subscription lapsed gets no more of the thread by e-mail."""
    from masthead.articles.models import AccessLevel
    from masthead.membership.factories import SubscriptionFactory, TierFactory

    tier = TierFactory()
    reader_subscription = SubscriptionFactory(member__user=member, tier=tier)
    SubscriptionFactory(member__user=other_member, tier=tier)
    do_subscribe_thread(thread=thread_for(article), user=member)
    article.access_level = AccessLevel.PAID
    article.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        post(article, other_member, "Quoting the paid part: the pipes leak.")
    assert [message["To"] for message in smtp_inbox.messages] == [member.email]

    reader_subscription.status = "canceled"
    reader_subscription.save()
    with django_capture_on_commit_callbacks(execute=True):
        post(article, other_member, "Quoting it again after the lapse.")
    assert len(smtp_inbox.messages) == 1


def test_a_reply_on_an_arabic_article_is_mailed_in_arabic(
    smtp_inbox, section, member, other_member, django_capture_on_commit_callbacks
):
    from masthead.articles.factories import make_article

    arabic = make_article(section=section, title="أين تذهب المياه", language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        mine = post(arabic, member, "رأيي في الأنابيب.", subscribe=True)
    with django_capture_on_commit_callbacks(execute=True):
        post(arabic, other_member, "لا أوافق.", parent_id=mine.pk)
    [message] = smtp_inbox.to(member.email)
    assert str(message["Subject"]).strip() == "ردّ Bo Other على تعليقك على «أين تذهب المياه»"
    assert "اقرأ وردّ:" in message.get_content() and "Read and reply" not in message.get_content()
