"""The ban list in the Wagtail admin: see, add and lift bans, each in the audit log; banned posters are told why."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from masthead.accounts.factories import StaffFactory
from masthead.discussion.actions.bans import check_add_ban
from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.errors import DiscussionError
from masthead.discussion.factories import allow_guests, make_comment
from masthead.discussion.models import Ban, Comment, CommentStatus, ModerationAction, ModerationEvent

pytestmark = pytest.mark.django_db

BANS = "/admin/discussion/bans/"


@pytest.fixture
def editor(client):
    staff = StaffFactory()
    client.force_login(staff)
    return staff


def post(article, user, body="A remark.", **kwargs):
    return check_post_comment(page=article, user=user, body=body, ip="198.51.100.7", **kwargs)


def test_members_cannot_see_the_ban_list(client, member):
    client.force_login(member)
    assert client.get(BANS).status_code in (302, 403)
    assert client.post(BANS, {"email": "x@example.org"}).status_code in (302, 403)
    assert not Ban.objects.exists()


def test_editor_bans_a_member_with_reason_and_expiry_and_the_list_shows_it(client, group_editor, article, member):
    editor = group_editor
    held = make_comment(article=article, author=member, status=CommentStatus.PENDING)
    until = timezone.localtime() + timedelta(days=7)
    fields = {"member": member.username, "reason": "Repeated insults", "expires_at": until.strftime("%Y-%m-%dT%H:%M")}
    asked = client.post(BANS, fields)  # the form first asks to confirm, and bans nobody yet
    assert asked.status_code == 200 and not Ban.objects.exists() and not ModerationEvent.objects.exists()
    page = asked.content.decode()
    assert "Confirm the ban" in page and member.email in page and "Repeated insults" in page
    assert 'name="confirmed" value="yes"' in page
    response = client.post(BANS, {**fields, "confirmed": "yes"})
    assert response.status_code == 302
    ban = Ban.objects.get()
    assert ban.user == member and ban.reason == "Repeated insults" and ban.created_by == editor
    assert abs(ban.expires_at - until) < timedelta(minutes=1)
    held.refresh_from_db()
    assert held.status == CommentStatus.SPAM  # what they had waiting goes with them
    html = client.get(BANS).content.decode()
    assert member.email in html and "Repeated insults" in html and editor.username in html
    assert f"/admin/discussion/bans/{ban.pk}/lift/" in html
    event = ModerationEvent.objects.get()
    assert event.action == ModerationAction.BAN and event.actor == editor
    assert member.email in event.detail and "Repeated insults" in event.detail
    assert "Banned" in client.get("/admin/discussion/log/").content.decode()


def test_editor_bans_a_guest_address_and_the_guest_is_refused_clearly(client, editor, article):
    allow_guests()
    assert client.post(BANS, {"email": "Troll@Example.org", "reason": "Spam links", "confirmed": "yes"}).status_code == 302
    assert Ban.objects.get().email == "troll@example.org"
    response = Client().post(  # a guest: no session
        f"/discussion/api/threads/{article.pk}/comments",
        json.dumps({"body": "Let me in", "name": "Troll", "email": "TROLL@example.org"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You can no longer comment on this site."
    assert not Comment.objects.exists()


def test_a_banned_member_is_told_until_when(article, member):
    editor = StaffFactory()
    until = timezone.now() + timedelta(days=2)
    check_add_ban(editor=editor, member=member.email, reason="Cool off", expires_at=until)
    with pytest.raises(DiscussionError, match="You cannot comment on this site until") as refused:
        post(article, member)
    assert refused.value.status == 403
    assert not Comment.objects.exists()


def test_of_several_bans_on_one_person_the_longest_decides(article, member):
    from masthead.core.time import local_datetime

    soon, later = timezone.now() + timedelta(days=2), timezone.now() + timedelta(days=5)
    Ban.objects.create(user=member, expires_at=soon)  # by account
    by_address = Ban.objects.create(email=member.email.upper(), expires_at=later)  # and by address, any case
    with pytest.raises(DiscussionError) as refused:
        post(article, member)
    until = local_datetime(later)
    assert refused.value.message == f"You cannot comment on this site until {until}."
    by_address.expires_at = None
    by_address.save()
    with pytest.raises(DiscussionError, match="no longer comment"):
        post(article, member)
    Ban.objects.all().update(expires_at=timezone.now() - timedelta(minutes=1))
    assert post(article, member).status == CommentStatus.APPROVED


def test_an_expired_ban_no_longer_applies(article, member):
    Ban.objects.create(user=member, expires_at=timezone.now() - timedelta(minutes=1))
    assert post(article, member).status == CommentStatus.APPROVED


def test_a_member_banned_by_account_address_is_refused_as_a_guest_too(article):
    allow_guests()
    Ban.objects.create(email="someone@example.org")
    with pytest.raises(DiscussionError, match="no longer comment"):
        post(article, AnonymousUser(), guest_name="Some One", guest_email="someone@example.org")


def test_lifting_a_ban_lets_them_comment_again_and_is_logged(client, editor, article, member):
    ban = check_add_ban(editor=editor, member=member.username, reason="Heated")
    with pytest.raises(DiscussionError):
        post(article, member)
    response = client.post(f"/admin/discussion/bans/{ban.pk}/lift/")
    assert response.status_code == 302 and not Ban.objects.exists()
    assert post(article, member).status == CommentStatus.APPROVED
    lifted = ModerationEvent.objects.filter(action=ModerationAction.UNBAN).get()
    assert lifted.actor == editor and member.email in lifted.detail and "Heated" in lifted.detail
    assert "Nobody is banned." in client.get(BANS).content.decode()
    # Lifting it again is a clear message, not an error page.
    again = client.post(f"/admin/discussion/bans/{ban.pk}/lift/", follow=True)
    assert "no such ban" in again.content.decode()


def test_banning_again_renews_the_ban(editor, member):
    check_add_ban(editor=editor, member=member.username, reason="Cool off",
                  expires_at=timezone.now() + timedelta(hours=1))
    check_add_ban(editor=editor, member=member.username, reason="Again")
    ban = Ban.objects.get()
    assert ban.expires_at is None and ban.reason == "Again"
    assert ModerationEvent.objects.filter(action=ModerationAction.BAN).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "r"}, "Name either a member or an e-mail address"),
        ({"member": "someone", "email": "a@example.org", "reason": "r"}, "Name either a member or an e-mail address"),
        ({"member": "nobody-here", "reason": "r"}, "There is no member"),
        ({"email": "not an address", "reason": "r"}, "valid e-mail address"),
        ({"email": "a@example.org", "reason": "r", "expires_at": "2001-01-01T00:00"}, "must be in the future"),
        ({"email": "a@example.org"}, "Give a reason for the ban."),
        ({"email": "a@example.org", "reason": "   "}, "Give a reason for the ban."),
    ],
)
@pytest.mark.parametrize("confirmed", ["", "yes"])
def test_bad_ban_requests_are_refused_with_a_message(client, editor, fields, message, confirmed):
    response = client.post(BANS, {**fields, "confirmed": confirmed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ban.objects.exists() and not ModerationEvent.objects.exists()


def test_a_ban_without_a_reason_is_refused_by_the_action_too(editor, member):
    with pytest.raises(DiscussionError, match="Give a reason"):
        check_add_ban(editor=editor, member=member.username)
    assert not Ban.objects.exists()


def test_the_queue_ban_is_listed_and_liftable(client, editor, article):
    allow_guests()
    comment = make_comment(article=article, guest_name="Gus", guest_email="gus@example.org")
    asked = client.post("/admin/discussion/queue/?queue=approved", {"single": f"ban:{comment.pk}"}, follow=True)
    assert "gus@example.org (guest Gus)" in asked.content.decode() and not Ban.objects.exists()
    client.post("/admin/discussion/queue/ban/",
                {"queue": "approved", "comment": [comment.pk], "reason": "Link spam in every thread"})
    ban = Ban.objects.get()
    assert ban.email == "gus@example.org" and ban.created_by == editor and ban.reason == "Link spam in every thread"
    listed = client.get(BANS).content.decode()
    assert "gus@example.org" in listed and "Link spam in every thread" in listed
