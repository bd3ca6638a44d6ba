"""Deleting an account: through the real view, the comments stay by a "deleted member" and nothing names them."""

import json
import re

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.accounts.models import User
from masthead.annotations.factories import make_inline_comment
from masthead.annotations.models import InlineAnchor
from masthead.discussion.actions import moderation, subscriptions, votes
from masthead.discussion.factories import make_comment
from masthead.discussion.models import (
    Comment,
    CommentStatus,
    Flag,
    GuestAddress,
    ModerationAction,
    ModerationEvent,
    Thread,
    Vote,
)
from masthead.discussion.models import (
    Subscription as Follow,
)
from masthead.membership.factories import MemberFactory, SubscriptionFactory
from masthead.membership.models import Member, SignInLink, Subscription, hash_token

pytestmark = pytest.mark.django_db

EMAIL = "lena.leaving@example.org"
NAME = "Lena Leaving"


@pytest.fixture
def leaving(db):
    member = MemberFactory(user__email=EMAIL, user__display_name=NAME, stripe_customer_id="cus_leaving")
    SubscriptionFactory(member=member, cancel_at_period_end=True)
    return member


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def delete_account(client) -> object:
    """Ask for the account page as a browser would, then post its delete form with the form's CSRF token."""
    page = client.get("/members/account/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client.post("/members/account/delete/", {"confirm": "delete", "csrfmiddlewaretoken": token})


def all_rows_text() -> str:
    """Every row of every table, as text: whatever is left of a person would show here."""
    return "\n".join(
        str(row) for model in apps.get_models(include_auto_created=True) for row in model.objects.values()
    )


def test_a_commenter_deletes_their_account_and_the_conversation_stays_by_a_deleted_member(
    article, leaving, smtp_inbox, django_capture_on_commit_callbacks
):
    user = leaving.user
    other, third = UserFactory(display_name="Otto Other"), UserFactory(display_name="Tia Third")
    theirs = make_comment(article=article, author=user, body="The gauge readings were wrong.")
    answer = make_comment(parent=theirs, author=other, body="Which gauge?")
    others = make_comment(article=article, author=other, body="The council knew in June.")
    their_reply = make_comment(parent=others, author=user, body="They did, the minutes show it.")
    held = make_comment(article=article, author=user, body="A late thought.", status=CommentStatus.PENDING)
    inline = make_inline_comment(article=article, words="a third of its capacity", author=user, body="Since when?")
    thread = Thread.objects.get(page=article)
    Comment.objects.filter(author=user).update(ip_hash="a" * 64)
    votes.do_vote(comment=others, voter=user, value=1)
    votes.do_vote(comment=others, voter=third, value=1)
    votes.do_vote(comment=answer, voter=user, value=-1)
    votes.do_vote(comment=theirs, voter=other, value=1)
    moderation.do_report_comment(comment=others, reporter=user, reason="off_topic", note="", ip_hash="b" * 64)
    subscriptions.do_subscribe_thread(thread=thread, user=user)
    subscriptions.do_subscribe_thread(thread=thread, user=third)
    # Before joining, they commented as a guest with the same address and followed the replies.
    as_guest = make_comment(article=article, guest_name="Lena (guest)", guest_email=EMAIL.upper(), body="Guest words.")
    guest_address = GuestAddress.objects.create(email=EMAIL, confirmed_at=timezone.now())
    Follow.objects.create(thread=thread, guest=guest_address)
    SignInLink.objects.create(
        token_hash=hash_token("t"), purpose="sign_in", email=EMAIL, member=leaving,
        expires_at=timezone.now(), used_at=timezone.now(),
    )
    editor = StaffFactory()
    ModerationEvent.objects.create(
        comment=theirs, actor=editor, action=ModerationAction.BAN, detail=f"Lifted the ban on {NAME} <{EMAIL}>"
    )

    reader = Client()
    assert NAME in reader.get(article.url).content.decode()  # now cached for signed-out readers
    assert NAME in reader.get(f"/discussion/api/threads/{article.pk}").content.decode()  # cached too
    thread.refresh_from_db()
    version = thread.version

    assert signed_in(user).post("/members/account/delete/", {"confirm": "delete"}).status_code == 403  # no token
    assert User.objects.filter(pk=user.pk).exists()
    response = delete_account(signed_in(user))
    assert response.status_code == 200 and "Your account is deleted" in response.content.decode()

    # The person is gone ...
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Member.objects.exists() and not Subscription.objects.exists()
    assert not SignInLink.objects.exists() and not GuestAddress.objects.exists()
    assert list(Follow.objects.values_list("user", flat=True)) == [third.pk]
    assert Vote.objects.filter(comment=others).count() == 1 and not Vote.objects.filter(comment=answer).exists()
    text = all_rows_text()
    assert EMAIL not in text.lower() and NAME not in text and "Lena (guest)" not in text and "a" * 64 not in text
    assert "cus_leaving" not in text and "b" * 64 not in text
    # ... what they wrote stays, in its place, by a deleted member.
    kept = Comment.objects.filter(pk__in=[theirs.pk, their_reply.pk, held.pk, inline.comment_id, as_guest.pk])
    assert kept.count() == 5
    assert {(c.author_id, c.author_deleted, c.guest_name, c.guest_email, c.ip_hash) for c in kept} == {
        (None, True, "", "", "")
    }
    assert Comment.objects.get(pk=answer.pk).parent_id == theirs.pk
    assert InlineAnchor.objects.get(pk=inline.pk).comment_id == inline.comment_id
    # Their votes are withdrawn and the tallies recounted; votes on their comments stay.
    others.refresh_from_db()
    answer.refresh_from_db()
    theirs.refresh_from_db()
    assert (others.upvotes, others.downvotes, answer.downvotes, theirs.upvotes) == (1, 0, 0, 1)
    # Their report waits for an editor still, naming no one.
    flag = Flag.objects.get(comment=others)
    assert flag.reporter_id is None and flag.reporter_ip_hash == "" and not flag.resolved
    assert ModerationEvent.objects.get(comment=theirs).detail == "Lifted the ban on deleted member"

    # Every cached view of the thread shows the change at once.
    thread.refresh_from_db()
    assert thread.version > version
    page = reader.get(article.url).content.decode()
    assert "deleted member" in page and NAME not in page and "Lena (guest)" not in page
    assert "The gauge readings were wrong." in page and "Since when?" in page
    api = reader.get(f"/discussion/api/threads/{article.pk}").json()
    names = {c["author_name"] for c in api["comments"]} | {
        r["author_name"] for c in api["comments"] for r in c["replies"]
    }
    assert "deleted member" in names and NAME not in json.dumps(api)
    moderator = Client()
    moderator.force_login(editor)
    exported = moderator.get(f"/discussion/api/export?article_id={article.pk}").json()
    [deleted] = [c for c in exported["threads"][0]["comments"] if c["id"] == theirs.pk]
    assert (deleted["author_name"], deleted["author_email"], deleted["member"], deleted["author_deleted"]) == (
        "deleted member", "", False, True
    )
    assert EMAIL not in json.dumps(exported).lower()

    # Their comment still waiting for approval is approved later: followers read it as a deleted member's.
    with django_capture_on_commit_callbacks(execute=True):
        moderation.check_moderate(comment_ids=[held.pk], action=ModerationAction.APPROVE, editor=editor)
    (mail,) = smtp_inbox.to(third.email)
    assert "deleted member commented on" in mail.get_content() and NAME not in mail.get_content()


def test_banning_a_deleted_members_comment_names_nobody_and_does_not_fail(article, leaving):
    comment = make_comment(article=article, author=leaving.user, status=CommentStatus.PENDING)
    assert delete_account(signed_in(leaving.user)).status_code == 200
    moderation.check_moderate(comment_ids=[comment.pk], action=ModerationAction.BAN, editor=StaffFactory(),
                              reason="Abuse")
    assert ModerationEvent.objects.get(comment=comment).detail.startswith("Nobody to ban")


def test_a_member_who_never_commented_is_deleted_as_before(leaving):
    assert delete_account(signed_in(leaving.user)).status_code == 200
    assert not User.objects.filter(email=EMAIL).exists() and not Member.objects.exists()


def test_an_editor_deleting_a_commenter_in_the_admin_runs_the_same_action(article, leaving):
    comment = make_comment(article=article, author=leaving.user, body="Kept words.")
    editor = Client()
    editor.force_login(StaffFactory())
    assert editor.get(f"/admin/users/delete/{leaving.user_id}/").status_code == 200  # the question only
    assert User.objects.filter(pk=leaving.user_id).exists()
    response = editor.post(f"/admin/users/delete/{leaving.user_id}/")
    assert response.status_code == 302 and response["Location"] == "/admin/users/"
    assert not User.objects.filter(pk=leaving.user_id).exists() and not Member.objects.exists()
    comment.refresh_from_db()
    assert comment.author_deleted and comment.body == "Kept words."


def test_an_editor_cannot_delete_a_member_whose_renewing_subscription_cannot_be_cancelled(leaving):
    SubscriptionFactory(member=leaving)  # renewing, and no payment provider configured
    editor = Client()
    editor.force_login(StaffFactory())
    response = editor.post(f"/admin/users/delete/{leaving.user_id}/", follow=True)
    assert "cannot be cancelled from here" in response.content.decode()
    assert User.objects.filter(pk=leaving.user_id).exists()


def test_the_admins_bulk_delete_of_commenters_runs_the_same_action(article, leaving):
    second = MemberFactory()
    comments = [make_comment(article=article, author=user) for user in (leaving.user, second.user)]
    editor = Client()
    editor.force_login(StaffFactory())
    url = f"/admin/bulk/accounts/user/delete/?id={leaving.user_id}&id={second.user_id}&next=/admin/users/"
    assert editor.get(url).status_code == 200
    response = editor.post(url)
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[leaving.user_id, second.user_id]).exists()
    assert Comment.objects.filter(pk__in=[c.pk for c in comments], author_deleted=True).count() == 2
