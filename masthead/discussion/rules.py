"""Moderation rules: each looks at a submission and returns a verdict with a reason, or None to let it through."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from masthead.discussion.models import (
    Ban,
    BlocklistAction,
    Comment,
    CommentStatus,
    DiscussionSettings,
    Thread,
)
from masthead.discussion.rendering import count_links


class Outcome:
    HOLD = "hold"  # stored, waits in the queue
    SPAM = "spam"  # stored as spam, never shown
    REJECT = "reject"  # refused: nothing stored, the reader is told why


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str
    status: int = 400


@dataclass
class Submission:
    thread: Thread
    policy: DiscussionSettings
    body: str
    author: object | None = None  # a member, or None for a guest
    guest_email: str = ""
    ip_hash: str = ""
    honeypot: str = ""
    now: object = field(default_factory=timezone.now)

    def by_same_person(self) -> Q:
        if self.author is not None:
            return Q(author=self.author)
        return Q(guest_email__iexact=self.guest_email, author__isnull=True)


def honeypot_filled(submission: Submission) -> Verdict | None:
    if submission.honeypot.strip():
        return Verdict(Outcome.SPAM, "The hidden honeypot field was filled in, as only robots do.")
    return None


def banned(submission: Submission) -> Verdict | None:
    email = submission.author.email if submission.author is not None else submission.guest_email
    bans = Q(email__iexact=email) if email else Q(pk__in=[])
    if submission.author is not None:
        bans |= Q(user=submission.author)
    if Ban.objects.filter(bans).exists():
        return Verdict(Outcome.REJECT, "You can no longer comment on this site.", status=403)
    return None


def rate_limited(submission: Submission) -> Verdict | None:
    limit = settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE
    since = submission.now - timedelta(minutes=1)
    who = submission.by_same_person()
    if submission.ip_hash:
        who |= Q(ip_hash=submission.ip_hash)
    if Comment.objects.filter(who, created_at__gte=since).count() >= limit:
        return Verdict(
            Outcome.REJECT, f"You can post at most {limit} comments a minute; wait a moment and try again.", 429
        )
    return None


def duplicate(submission: Submission) -> Verdict | None:
    # A repeat within a day is a double submission or a flood; the same words a week later are a new remark.
    same = Comment.objects.filter(
        submission.by_same_person(),
        thread=submission.thread,
        body=submission.body,
        is_deleted=False,
        created_at__gte=submission.now - timedelta(days=1),
    )
    if same.exists():
        return Verdict(Outcome.REJECT, "You have already posted this comment here.")
    return None


def blocklisted(submission: Submission) -> Verdict | None:
    text = submission.body.lower()
    for phrase in submission.policy.blocked_phrases:
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            if submission.policy.blocklist_action == BlocklistAction.REJECT:
                return Verdict(Outcome.REJECT, "This comment contains a word or phrase the site does not accept.")
            return Verdict(Outcome.HOLD, f"Contains the blocklisted phrase “{phrase}”.")
    return None


def too_many_links(submission: Submission) -> Verdict | None:
    links = count_links(submission.body)
    if links > submission.policy.max_links:
        return Verdict(Outcome.HOLD, f"Contains {links} links (more than {submission.policy.max_links}).")
    return None


def first_member_comment(submission: Submission) -> Verdict | None:
    if submission.author is None or not submission.policy.hold_first_member_comment:
        return None
    if not Comment.objects.filter(author=submission.author, status=CommentStatus.APPROVED).exists():
        return Verdict(Outcome.HOLD, "The member's first comment.")
    return None


def guest_comment(submission: Submission) -> Verdict | None:
    if submission.author is None and submission.policy.hold_guest_comments:
        return Verdict(Outcome.HOLD, "Posted by a guest.")
    return None


# Refusals come first so that a refused comment costs no further queries; content rules run on edits too.
SUBMISSION_RULES = [
    honeypot_filled,
    banned,
    rate_limited,
    duplicate,
    blocklisted,
    too_many_links,
    first_member_comment,
    guest_comment,
]
CONTENT_RULES = [blocklisted, too_many_links]


def evaluate(submission: Submission, rules=SUBMISSION_RULES) -> list[Verdict]:
    """Every verdict, stopping at the first refusal or spam verdict (nothing after it can change the outcome)."""
    verdicts = []
    for rule in rules:
        verdict = rule(submission)
        if verdict is None:
            continue
        verdicts.append(verdict)
        if verdict.outcome in (Outcome.REJECT, Outcome.SPAM):
            break
    return verdicts
