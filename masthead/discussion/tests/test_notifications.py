"""Reply and thread notifications, sent through the task queue after the commit, with one-click unsubscribe."""

import pytest

from masthead.accounts.factories import StaffFactory
from masthead.discussion import actions
from masthead.discussion.factories import make_comment
from masthead.discussion.models import CommentStatus, Subscription

pytestmark = pytest.mark.django_db


def post(article, user, body, **kwargs):
    return actions.check_post_comment(page=article, user=user, body=body, **kwargs)


def test_reply_notifies_the_author_who_subscribed_with_one_click_unsubscribe(
    smtp_inbox, article, member, other_member, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mine = post(article, member, "My view on pipes.", subscribe=True)
    assert len(smtp_inbox) == 0  # nobody else follows the thread yet
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(article, other_member, "I **disagree**.", parent_id=mine.pk)
        assert len(smtp_inbox) == 0  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
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
    actions.do_subscribe_thread(thread=actions.thread_for(article), user=member)
    held = make_comment(article=article, author=other_member, status=CommentStatus.PENDING)
    assert len(smtp_inbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_moderate(comment_ids=[held.pk], action="approve", editor=StaffFactory())
    assert len(smtp_inbox.to(member.email)) == 1


def test_unsubscribe_page_asks_before_removing(client, article, member):
    subscription = actions.do_subscribe_thread(thread=actions.thread_for(article), user=member)
    html = client.get(f"/discussion/unsubscribe/{subscription.token}/").content.decode()
    assert "Stop e-mails about" in html and Subscription.objects.exists()
    assert client.post(f"/discussion/unsubscribe/{subscription.token}/").status_code == 200
    assert not Subscription.objects.exists()
