"""Each moderation rule, alone: what it lets through, and the reason it gives when it does not."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.actions.moderation import do_moderate
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.errors import DiscussionError
from masthead.discussion.factories import allow_guests, make_comment, set_policy
from masthead.discussion.models import BlocklistAction, Comment, CommentStatus, DiscussionSettings
from masthead.discussion.rules import Submission, rate_limited

pytestmark = pytest.mark.django_db


def post(article, user, body="An ordinary remark.", ip="198.51.100.7", **kwargs):
    return check_post_comment(page=article, user=user, body=body, ip=ip, **kwargs)


def test_first_member_comment_is_held_when_the_setting_is_on(article, member):
    set_policy(hold_first_member_comment=True)
    first = post(article, member, "first")
    assert first.status == CommentStatus.PENDING and first.hold_reasons == ["The member's first comment."]
    do_moderate(comments=[first], action="approve", editor=None)
    assert post(article, member, "second").status == CommentStatus.APPROVED


def test_more_links_than_the_limit_are_held(article, member):
    set_policy(max_links=2)
    assert post(article, member, "https://a.example https://b.example").status == CommentStatus.APPROVED
    held = post(article, member, "https://a.example https://b.example [c](https://c.example)")
    assert held.status == CommentStatus.PENDING
    assert held.hold_reasons == ["Contains 3 links (more than 2)."]


def test_blocklist_holds_or_rejects_whole_words(article, member):
    set_policy(blocklist="cheap pills\nscam", blocklist_action=BlocklistAction.HOLD)
    assert post(article, member, "A scampi recipe").status == CommentStatus.APPROVED
    held = post(article, member, "Buy CHEAP pills now")
    assert held.status == CommentStatus.PENDING and "cheap pills" in held.hold_reasons[0]
    set_policy(blocklist_action=BlocklistAction.REJECT)
    with pytest.raises(DiscussionError, match="does not accept"):
        post(article, member, "This is a scam.")
    assert Comment.objects.count() == 2


def test_rate_limit_per_member(article, member, settings):
    settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = 5
    for number in range(5):
        post(article, member, f"comment {number}", ip=f"203.0.113.{number}")
    with pytest.raises(DiscussionError, match="at most 5 comments a minute") as refused:
        post(article, member, "one too many", ip="203.0.113.99")
    assert refused.value.status == 429
    assert Comment.objects.count() == 5


def test_rate_limit_per_ip_across_guests(article, settings):
    settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = 2
    allow_guests()
    for number in range(2):
        post(article, AnonymousUser(), f"guest {number}", guest_name=f"G{number}", guest_email=f"g{number}@example.org")
    with pytest.raises(DiscussionError, match="a minute"):
        post(article, AnonymousUser(), "third", guest_name="G3", guest_email="g3@example.org")


def test_rate_limit_follows_the_person_across_addresses_and_the_address_across_people(article, settings):
    settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = 2
    allow_guests()
    gus = {"guest_name": "Gus", "guest_email": "gus@example.org"}
    post(article, AnonymousUser(), "from home", ip="198.51.100.1", **gus)
    post(article, AnonymousUser(), "from work", ip="198.51.100.2", **gus)
    post(article, AnonymousUser(), "a neighbour", ip="198.51.100.1", guest_name="Nell", guest_email="nell@example.org")
    with pytest.raises(DiscussionError, match="at most 2 comments a minute"):  # Gus's third, whatever the address
        post(article, AnonymousUser(), "from a cafe", ip="198.51.100.3", guest_name="Gus", guest_email="GUS@example.org")
    with pytest.raises(DiscussionError, match="at most 2 comments a minute"):  # the home address's third
        post(article, AnonymousUser(), "from the same house", ip="198.51.100.1", guest_name="Ivy",
             guest_email="ivy@example.org")
    assert post(article, AnonymousUser(), "elsewhere", ip="198.51.100.9", guest_name="Ivy",
                guest_email="ivy@example.org").pk
    assert Comment.objects.count() == 4


def test_rate_limit_forgets_after_a_minute(article, member, settings):
    settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = 1
    start = timezone.now().replace(second=0, microsecond=0)

    def attempt(at):
        submission = Submission(
            thread=thread_for(article), policy=DiscussionSettings.current(), body="again",
            author=member, ip_hash="an-address", now=at,
        )
        return rate_limited(submission)

    assert attempt(start) is None
    assert attempt(start + timedelta(seconds=59)).status == 429
    assert attempt(start + timedelta(seconds=60)) is None


def test_honeypot_marks_spam_without_telling_the_robot(article, member):
    comment = post(article, member, "hello", honeypot="http://spam.example")
    assert comment.status == CommentStatus.SPAM
    assert "honeypot" in comment.hold_reasons[0]


def test_duplicate_post_is_refused(article, member):
    post(article, member, "Same words.")
    with pytest.raises(DiscussionError, match="already posted"):
        post(article, member, "Same words.")
    assert Comment.objects.count() == 1


def test_duplicate_is_the_same_person_same_thread_same_words_within_a_day(
    article, member, other_member, section, settings
):
    from masthead.articles.factories import make_article

    settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = 100  # all from one address, refused attempts included
    allow_guests()
    post(article, member, "Same words.")
    assert post(article, other_member, "Same words.").pk  # someone else may agree in the same words
    assert post(make_article(section=section, title="Elsewhere"), member, "Same words.").pk  # another article
    post(article, AnonymousUser(), "A guest's words.", guest_name="Gus", guest_email="gus@example.org")
    with pytest.raises(DiscussionError, match="already posted"):  # the address in any case
        post(article, AnonymousUser(), "A guest's words.", guest_name="Gus", guest_email="GUS@Example.org")
    assert post(article, member, "A guest's words.").pk  # a member is not the guest with the same words
    Comment.objects.filter(body="Same words.", author=member).update(created_at=timezone.now() - timedelta(days=2))
    assert post(article, member, "Same words.").pk


def test_guest_comments_held_by_default_and_released_by_the_setting(article):
    allow_guests(hold=True)
    held = post(article, AnonymousUser(), guest_name="Gus", guest_email="gus@example.org")
    assert held.status == CommentStatus.PENDING
    allow_guests(hold=False)
    shown = post(article, AnonymousUser(), "another", guest_name="Gus", guest_email="gus@example.org")
    assert shown.status == CommentStatus.APPROVED


def test_reasons_are_shown_in_the_queue(article, member, client):
    from masthead.accounts.factories import StaffFactory

    set_policy(max_links=0)
    make_comment(article=article)  # an unrelated approved comment stays out of the queue
    post(article, member, "see https://example.org")
    client.force_login(StaffFactory())
    html = client.get("/admin/discussion/queue/").content.decode()
    assert "Contains 1 links (more than 0)." in html
