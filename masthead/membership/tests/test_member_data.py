"""Download my data: everything masthead keeps about a member, in one JSON file, in a flat number of queries."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.annotations.factories import make_inline_comment
from masthead.articles.factories import make_article, paragraph
from masthead.discussion.actions import moderation, subscriptions, votes
from masthead.discussion.factories import make_comment
from masthead.discussion.models import Ban, GuestAddress, Thread
from masthead.discussion.models import Subscription as Follow
from masthead.membership.factories import (
    ComplimentaryAccessFactory,
    MemberFactory,
    SubscriptionFactory,
    TierFactory,
)
from masthead.membership.models import SignInLink, hash_token
from masthead.membership.tests.conftest import PASSAGE

pytestmark = pytest.mark.django_db

EMAIL = "dana.data@example.org"


@pytest.fixture
def member(db):
    return MemberFactory(user__email=EMAIL, user__display_name="Dana Data", stripe_customer_id="cus_dana")


def download(member) -> dict:
    client = Client()
    client.force_login(member.user)
    response = client.get("/members/account/data.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-membership-data.json"'
    return json.loads(response.content)


def test_the_download_holds_one_of_everything_kept_about_the_member(article, member):
    user, other = member.user, UserFactory(display_name="Otto Other")
    SubscriptionFactory(member=member, tier=TierFactory(name="Supporter"), provider_subscription_id="sub_dana")
    ComplimentaryAccessFactory(member=member, tier=TierFactory(name="Patron"), note="Wrote in about the floods")
    SignInLink.objects.create(
        token_hash=hash_token("secret-token"), purpose="sign_in", email=EMAIL, member=member,
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    comment = make_comment(article=article, author=user, body="The gauge readings were wrong.")
    others = make_comment(article=article, author=other, body="The council knew in June.")
    make_comment(parent=others, author=user, body="The minutes show it.")
    make_inline_comment(article=article, words="a third of its capacity", author=user, body="Since when?")
    make_comment(article=article, guest_name="Dana as a guest", guest_email=EMAIL, body="Before I joined.")
    votes.do_vote(comment=others, voter=user, value=1)
    moderation.do_report_comment(comment=others, reporter=user, reason="off_topic", note="Not about water",
                                         ip_hash="")
    thread = Thread.objects.get(page=article)
    subscriptions.do_subscribe_thread(thread=thread, user=user)
    address = GuestAddress.objects.create(email=EMAIL)
    Follow.objects.create(thread=thread, comment=others, guest=address)
    Ban.objects.create(user=user, reason="Shouting", created_by=StaffFactory())

    data = download(member)

    assert (data["format"], data["version"]) == ("masthead-member-data", 1)
    assert data["profile"]["email"] == EMAIL and data["profile"]["display_name"] == "Dana Data"
    assert data["profile"]["last_sign_in"] and data["profile"]["date_joined"] and data["profile"]["joined_at"]
    [link] = data["sign_in_links"]
    assert link["purpose"] == "sign_in" and link["email"] == EMAIL and "secret-token" not in json.dumps(data)
    [subscription] = data["subscriptions"]
    assert subscription["tier"] == "Supporter" and subscription["provider_subscription_id"] == "sub_dana"
    assert data["payments"] == {"provider_customer_id": "cus_dana"}
    [grant] = data["complimentary_access"]
    assert grant["tier"] == "Patron" and grant["note"] == "Wrote in about the floods"

    bodies = {item["body"]: item for item in data["comments"]}
    assert set(bodies) == {"The gauge readings were wrong.", "The minutes show it.", "Since when?", "Before I joined."}
    first = bodies["The gauge readings were wrong."]
    assert first["id"] == comment.pk and first["status"] == "approved" and first["created_at"]
    assert first["article"]["title"] == "The dry reservoir"
    assert first["article"]["url"].startswith("http") and first["article"]["url"].endswith(article.url)
    assert first["permalink"].endswith(f"/discussion/comment/{comment.pk}/") and first["passage"] is None
    assert bodies["The minutes show it."]["parent_id"] == others.pk
    assert bodies["Since when?"]["passage"]["quote"] == "a third of its capacity"
    assert bodies["Before I joined."]["as_guest"] and bodies["Before I joined."]["guest_name"] == "Dana as a guest"
    assert "The council knew in June." not in json.dumps(data)  # someone else's words are not theirs

    [vote] = data["votes"]
    assert vote["comment_id"] == others.pk and vote["value"] == 1 and vote["article"]["title"] == "The dry reservoir"
    [report] = data["reports"]
    assert report["comment_id"] == others.pk and report["reason"] == "off_topic" and report["note"] == "Not about water"
    [follow] = data["follows"]
    assert follow["comment_id"] is None and follow["article"]["title"] == "The dry reservoir"
    [guest] = data["guest_addresses"]
    assert guest["email"] == EMAIL and [f["comment_id"] for f in guest["follows"]] == [others.pk]
    [ban] = data["comment_bans"]
    assert ban["reason"] == "Shouting"


def test_a_new_member_downloads_an_empty_but_complete_file(member):
    data = download(member)
    assert data["profile"]["email"] == EMAIL and "newsletters" not in data
    for key in ("sign_in_links", "subscriptions", "complimentary_access", "comments", "votes", "reports",
                "follows", "guest_addresses", "comment_bans"):
        assert data[key] == [], key


def test_the_download_needs_sign_in(client):
    response = client.get("/members/account/data.json")
    assert response.status_code == 302 and response["Location"].startswith("/members/sign-in/")


def test_the_downloads_queries_do_not_grow_with_what_the_member_wrote(
    section, member, client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(member.user)

    def write_a_little_everywhere():
        article = make_article(section=section, body=[paragraph(PASSAGE)])
        other = UserFactory()
        comment = make_comment(article=article, author=member.user)
        others = make_comment(article=article, author=other)
        make_comment(parent=others, author=member.user)
        make_inline_comment(article=article, words="a third of its capacity", author=member.user)
        votes.do_vote(comment=others, voter=member.user, value=1)
        moderation.do_report_comment(comment=others, reporter=member.user, reason="spam", note="", ip_hash="")
        subscriptions.do_subscribe_thread(thread=comment.thread, user=member.user)
        SubscriptionFactory(member=member, status="canceled")
        ComplimentaryAccessFactory(member=member)

    write_a_little_everywhere()
    client.get("/members/account/data.json")  # the first request fills per-process caches (site root paths)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/members/account/data.json").status_code == 200
    for _ in range(5):
        write_a_little_everywhere()
    with django_assert_max_num_queries(len(few)):
        data = json.loads(client.get("/members/account/data.json").content)
    assert len(data["comments"]) == 18 and len(data["votes"]) == 6 and len(data["follows"]) == 6
