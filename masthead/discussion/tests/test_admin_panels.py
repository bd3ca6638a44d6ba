"""What waits for moderators, where they look: the counts in the admin menu and the dashboard panel."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail import hooks

from masthead.accounts.factories import UserFactory
from masthead.discussion.actions.moderation import check_report_comment
from masthead.discussion.admin_panels import moderation_counts
from masthead.discussion.factories import make_comment
from masthead.discussion.models import CommentStatus, Flag

pytestmark = pytest.mark.django_db

SIDEBAR = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def editor(group_editor):
    return group_editor


def menu_labels(client) -> list[str]:
    """The labels of the admin's main menu, as Wagtail sends them to the sidebar."""
    html = client.get("/admin/").content.decode()
    props = SIDEBAR.search(html).group(1)
    return re.findall(r'"label": "([^"]*)"', props)


def waiting(article, reporters):
    make_comment(article=article, body="Held one, with links", status=CommentStatus.PENDING)
    make_comment(article=article, body="Held two, a first comment", status=CommentStatus.PENDING)
    reported = make_comment(article=article, body="Reported by two readers")
    for reporter in reporters:
        check_report_comment(comment_id=reported.pk, user=reporter, reason="abuse")
    return reported


def test_the_menu_counts_held_and_reported_comments_for_an_editor(client, editor, article, member, other_member):
    assert "Comments" in menu_labels(client)  # nothing waits: the plain label
    waiting(article, [member, other_member])
    assert "Comments (2 held, 1 reported)" in menu_labels(client)


def test_no_comments_menu_without_the_moderation_permission(client, article, member):
    writer = UserFactory(username="wri")
    writer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(writer)
    waiting(article, [member])
    labels = menu_labels(client)
    assert "Account" in labels and not [label for label in labels if label.startswith("Comments")]
    assert "Comments waiting for you" not in client.get("/admin/").content.decode()


def test_the_counts_are_one_query_and_follow_the_queues(article, member, other_member):
    reported = waiting(article, [member, other_member])
    settled = make_comment(article=article, body="Settled")
    check_report_comment(comment_id=settled.pk, user=member, reason="spam")
    Flag.objects.filter(comment=settled).update(resolved=True)
    spam = make_comment(article=article, body="Spam, reported", status=CommentStatus.SPAM)
    Flag.objects.create(comment=spam, reason="spam")
    make_comment(article=article, status=CommentStatus.REJECTED)
    with CaptureQueriesContext(connection) as queries:
        counts = moderation_counts()
    assert len(queries) == 1
    assert (counts.held, counts.reported) == (2, 1)
    Flag.objects.filter(comment=reported).update(resolved=True)
    assert moderation_counts().reported == 0


def test_the_dashboard_lists_what_waits_with_links_to_act(client, editor, article, member):
    reported = waiting(article, [member])
    html = client.get("/admin/").content.decode()
    assert "Comments waiting for you" in html
    assert "2 held for approval" in html and "1 reported by readers" in html
    assert "Held one, with links" in html and "Held two, a first comment" in html
    assert "Reported by two readers" in html and "Abuse or harassment" in html
    assert 'href="/admin/discussion/queue/?queue=pending' in html
    assert f'name="single" value="hide:{reported.pk}"' in html


def test_the_dashboard_says_when_nothing_waits(client, editor):
    html = client.get("/admin/").content.decode()
    assert "No comment is waiting for approval and no report is open." in html


def test_editors_and_moderators_groups_may_moderate_and_the_group_editor_offers_it():
    for name in ("Editors", "Moderators"):
        assert Group.objects.get(name=name).permissions.filter(codename="change_comment").exists()
    offered = [permission for hook in hooks.get_hooks("register_permissions") for permission in hook()]
    assert any(p.codename == "change_comment" and p.content_type.app_label == "discussion" for p in offered)


def test_the_dashboard_panel_reads_as_many_queries_for_many_waiting_comments(client, editor, article, member,
                                                                             other_member):
    def dashboard_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/").status_code == 200
        return len(queries)

    waiting(article, [member])
    dashboard_queries()  # the first admin page of a session makes its user profile and such
    few = dashboard_queries()
    for _ in range(4):
        waiting(article, [member, other_member])
    assert dashboard_queries() == few
