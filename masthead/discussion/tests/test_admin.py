"""The moderation queue in the Wagtail admin: queues, single and bulk actions, editing, closing, the audit log."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from masthead.accounts.factories import StaffFactory
from masthead.discussion.actions.moderation import check_report_comment
from masthead.discussion.factories import make_comment
from masthead.discussion.models import Ban, Comment, CommentStatus, ModerationEvent, Thread

pytestmark = pytest.mark.django_db

QUEUE = "/admin/discussion/queue/"


@pytest.fixture
def editor(client):
    staff = StaffFactory()
    client.force_login(staff)
    return staff


def test_members_cannot_open_the_queue(client, member):
    client.force_login(member)
    assert client.get(QUEUE).status_code in (302, 403)


def test_queues_show_pending_reported_and_spam(client, editor, article, member):
    pending = make_comment(article=article, body="Waiting here", status=CommentStatus.PENDING)
    reported = make_comment(article=article, body="Reported one")
    check_report_comment(comment_id=reported.pk, user=member, reason="abuse", note="insults")
    spam = make_comment(article=article, body="Buy now", status=CommentStatus.SPAM)
    html = client.get(QUEUE).content.decode()
    assert "Waiting here" in html and "Reported one" not in html
    reported_html = client.get(QUEUE + "?queue=reported").content.decode()
    assert "Reported one" in reported_html and "Abuse or harassment" in reported_html and "insults" in reported_html
    assert "Buy now" in client.get(QUEUE + "?queue=spam").content.decode()
    assert pending.pk and spam.pk


def test_single_row_action_approves_one_comment(client, editor, article):
    first = make_comment(article=article, status=CommentStatus.PENDING)
    second = make_comment(article=article, status=CommentStatus.PENDING)
    response = client.post(QUEUE + "?queue=pending", {"single": f"approve:{first.pk}", "comment": [second.pk]})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "pending")
    assert Thread.objects.get(page=article).comment_count == 1


def test_bulk_reject_and_audit_log(client, editor, article):
    comments = [make_comment(article=article, status=CommentStatus.PENDING) for _ in range(3)]
    client.post(QUEUE, {"action": "reject", "comment": [c.pk for c in comments]})
    assert set(Comment.objects.values_list("status", flat=True)) == {"rejected"}
    log = client.get("/admin/discussion/log/").content.decode()
    assert log.count("Rejected") == 3 and editor.username in log
    assert ModerationEvent.objects.filter(actor=editor).count() == 3


def test_bulk_with_nothing_selected_says_so(client, editor):
    response = client.post(QUEUE, {"action": "approve"}, follow=True)
    assert "Select the comments to act on." in response.content.decode()


def test_pin_shows_the_comment_in_the_editors_picks_band(client, editor, article):
    comment = make_comment(article=article, body="Worth reading")
    client.post(QUEUE + "?queue=approved", {"single": f"pin:{comment.pk}"})
    html = client.get(article.url).content.decode()
    assert "Editors’ picks" in html
    assert html.index("Editors’ picks") < html.index(f'id="comment-{comment.pk}"')


def test_ban_from_the_queue_asks_for_a_reason_and_a_confirmation(client, group_editor, article, member):
    comment = make_comment(article=article, author=member, body="Heated words", status=CommentStatus.PENDING)
    asked = client.post(QUEUE, {"single": f"ban:{comment.pk}"})
    assert asked.status_code == 302 and asked["Location"].startswith("/admin/discussion/queue/ban/?")
    page = client.get(asked["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and member.email in html and "Heated words" in html and "Reason" in html
    comment.refresh_from_db()
    assert comment.status == "pending" and not Ban.objects.exists()  # nothing happens before the confirmation

    without_reason = client.post("/admin/discussion/queue/ban/", {"queue": "pending", "comment": [comment.pk]})
    assert without_reason.status_code == 400 and "Give a reason for the ban." in without_reason.content.decode()
    assert not Ban.objects.exists() and not ModerationEvent.objects.exists()

    done = client.post("/admin/discussion/queue/ban/",
                       {"queue": "pending", "comment": [comment.pk], "reason": "Insults in three threads"})
    assert done.status_code == 302 and done["Location"] == QUEUE + "?queue=pending"
    comment.refresh_from_db()
    assert comment.status == "spam" and Ban.objects.get(user=member).reason == "Insults in three threads"
    assert "Insults in three threads" in ModerationEvent.objects.get(action="ban").detail
    assert "Insults in three threads" in client.get("/admin/discussion/bans/").content.decode()


def test_the_ban_page_with_no_comment_goes_back_with_a_message(client, editor):
    response = client.get("/admin/discussion/queue/ban/?comment=x", follow=True)
    assert response.status_code == 200 and "Select the comments to act on." in response.content.decode()


def test_a_reported_comment_is_hidden_at_once_and_the_article_page_sees_it(client, group_editor, article, member):
    kept = make_comment(article=article, body="A fair point about the dam")
    reported = make_comment(article=article, body="An insult to the author")
    check_report_comment(comment_id=reported.pk, user=member, reason="abuse")
    reader = Client()
    before = reader.get(article.url).content.decode()  # the article page, cached for anonymous readers
    assert "An insult to the author" in before and "A fair point about the dam" in before
    queue_html = client.get(QUEUE + "?queue=reported").content.decode()
    assert f'value="hide:{reported.pk}">Hide now</button>' in queue_html

    response = client.post(QUEUE + "?queue=reported", {"single": f"hide:{reported.pk}"}, follow=True)
    assert "Hide now: 1 comment." in response.content.decode()
    reported.refresh_from_db()
    assert reported.status == CommentStatus.REJECTED and not reported.flags.filter(resolved=False).exists()
    assert Thread.objects.get(page=article).comment_count == 1
    assert ModerationEvent.objects.get(comment=reported).action == "hide"
    after = reader.get(article.url).content.decode()
    assert "An insult to the author" not in after and "A fair point about the dam" in after
    assert "Nothing here." in client.get(QUEUE + "?queue=reported").content.decode()
    assert kept.pk


def test_editor_edits_a_comment_and_an_empty_edit_is_a_400(client, editor, article):
    comment = make_comment(article=article)
    url = f"/admin/discussion/comment/{comment.pk}/edit/"
    assert client.post(url, {"body": ""}).status_code == 400
    assert client.post(url, {"body": "Edited by the desk"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Edited by the desk"


def test_editor_closes_and_reopens_a_thread(client, editor, article):
    comment = make_comment(article=article)
    client.post(f"/admin/discussion/thread/{comment.thread_id}/close/", {"closed": "1"})
    assert Thread.objects.get(pk=comment.thread_id).is_closed
    assert "Comments on this article are closed." in client.get(article.url).content.decode()
    client.post(f"/admin/discussion/thread/{comment.thread_id}/close/", {"closed": "0"})
    assert not Thread.objects.get(pk=comment.thread_id).is_closed


def test_queue_query_count_is_flat(client, editor, article, member):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE + "?queue=reported").status_code == 200
        return len(captured)

    comment = make_comment(article=article)
    check_report_comment(comment_id=comment.pk, user=member, reason="spam")
    queries()  # the first admin request warms caches of its own
    few = queries()
    for _ in range(20):
        extra = make_comment(article=article)
        check_report_comment(comment_id=extra.pk, user=member, reason="abuse")
    assert queries() == few
