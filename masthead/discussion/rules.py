"""Moderation rules: each looks at a submission and returns a verdict with a reason, or None to let it through.

The rules that need the database (bans, duplicates, a member's first comment) read their answers from
`Submission.facts`, which asks the database all of their questions in a single query. The rate limit counts in
the cache (masthead.core.ratelimit), like the sign-in links' limits.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.db.models import Exists, F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.core import ratelimit
from masthead.core.time import local_datetime
from masthead.discussion.markup import count_links
from masthead.discussion.models import (
    Ban,
    BlocklistAction,
    Comment,
    CommentStatus,
    DiscussionSettings,
    Subscription,
    Thread,
)


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
    parent_id: int | None = None  # the comment replied to, looked up with the rest (`facts["parent"]`)
    now: object = field(default_factory=timezone.now)

    def by_same_person(self) -> Q:
        if self.author is not None:
            return Q(author=self.author)
        return Q(guest_email__iexact=self.guest_email, author__isnull=True)

    @property
    def email(self) -> str:
        return self.author.email if self.author is not None else self.guest_email

    @cached_property
    def facts(self) -> dict:
        """Everything the rules (and the notification step) ask the database, answered by one query.

        Each question is an EXISTS or a one-row subquery on an index: the person's bans, their comments of the
        last day (by comment_author_time or comment_guest_time), the thread's followers, a member's approved
        comments. A reply's query is about the comment replied to, so it also reads where the reply goes; no
        row then means there is no such comment.
        """
        bans = Ban.objects.naming(user=self.author, email=self.email).in_force(self.now)
        questions = {
            "is_banned": Exists(bans),
            # The ban that lasts longest decides: never, when any of them has no expiry (NULL sorts first).
            "ban_expires_at": Subquery(
                bans.order_by(F("expires_at").desc(nulls_first=True)).values("expires_at")[:1]
            ),
            # A repeat within a day is a double submission or a flood; the same words a week later are a new
            # remark.
            "is_duplicate": Exists(
                Comment.objects.filter(
                    self.by_same_person(),
                    created_at__gte=self.now - timedelta(days=1),
                    thread_id=self.thread.pk,
                    body=self.body,
                    is_deleted=False,
                )
            ),
            "has_followers": Exists(Subscription.objects.filter(thread_id=self.thread.pk)),
        }
        if self.author is not None and self.policy.hold_first_member_comment:
            questions["has_approved_comment"] = Exists(
                Comment.objects.filter(author=self.author, status=CommentStatus.APPROVED)
            )
        parent = None
        answers = None
        if self.parent_id is not None:
            answers = Comment.objects.filter(pk=self.parent_id).values(*PARENT_FIELDS, **questions).first()
            if answers is not None:
                parent = Comment(**{name: answers[name] for name in PARENT_FIELDS})
        if answers is None:
            answers = Thread.objects.filter(pk=self.thread.pk).values(**questions).get()
        return {
            "is_banned": answers["is_banned"],
            "ban_expires_at": answers["ban_expires_at"],
            "is_duplicate": answers["is_duplicate"],
            "has_followers": answers["has_followers"],
            "has_approved_comment": answers.get("has_approved_comment", True),
            # Only the fields that place a reply; None when there is no such comment.
            "parent": parent,
        }


# What a reply needs of the comment it answers: where it is, whether it may be answered, and its root and depth.
PARENT_FIELDS = ("id", "thread_id", "status", "is_deleted", "root_id", "depth")


def honeypot_filled(submission: Submission) -> Verdict | None:
    if submission.honeypot.strip():
        return Verdict(Outcome.SPAM, "The hidden honeypot field was filled in, as only robots do.")
    return None


def banned(submission: Submission) -> Verdict | None:
    if not submission.facts["is_banned"]:
        return None
    expires_at = submission.facts["ban_expires_at"]
    if expires_at is None:
        return Verdict(Outcome.REJECT, _("You can no longer comment on this site."), status=403)
    until = local_datetime(expires_at)
    return Verdict(Outcome.REJECT, _("You cannot comment on this site until %(until)s.") % {"until": until}, status=403)


def rate_limited(submission: Submission) -> Verdict | None:
    """At most N comments a minute per person (member, or guest e-mail address) and per address, counted in the
    cache (masthead.core.ratelimit): both counts go up with every attempt that gets this far."""
    limit = settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE
    now = submission.now.timestamp()
    author = submission.author
    person = f"member:{author.pk}" if author is not None else f"guest:{submission.guest_email}"
    allowed = ratelimit.allow("comments-by-person", person, limit=limit, window_seconds=60, now=now)
    if submission.ip_hash:
        address = submission.ip_hash
        allowed = ratelimit.allow("comments-by-address", address, limit=limit, window_seconds=60, now=now) and allowed
    if not allowed:
        return Verdict(
            Outcome.REJECT, _("You can post at most %(limit)s comments a minute; wait a moment and try again.") % {"limit": limit}, 429
        )
    return None


def duplicate(submission: Submission) -> Verdict | None:
    if submission.facts["is_duplicate"]:
        return Verdict(Outcome.REJECT, _("You have already posted this comment here."))
    return None


def blocklisted(submission: Submission) -> Verdict | None:
    text = submission.body.lower()
    for phrase in submission.policy.blocked_phrases:
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            if submission.policy.blocklist_action == BlocklistAction.REJECT:
                return Verdict(Outcome.REJECT, _("This comment contains a word or phrase the site does not accept."))
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
    if not submission.facts["has_approved_comment"]:
        return Verdict(Outcome.HOLD, "The member's first comment.")
    return None


def guest_comment(submission: Submission) -> Verdict | None:
    if submission.author is None and submission.policy.hold_guest_comments:
        return Verdict(Outcome.HOLD, "Posted by a guest.")
    return None


# Refusals come first; the database rules share one query (Submission.facts), run by the first of them.
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
