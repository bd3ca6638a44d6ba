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
from django.db import connection
from django.db.models import Q
from django.utils import formats, timezone

from masthead.core import ratelimit
from masthead.core.time import from_raw_sql
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
        """Everything the rules (and the notification step) ask the database, answered in one query.

        Raw SQL because every post runs it: compiling the same question through the ORM cost more time than the
        database took to answer it. The duplicate check reads the person's comments of the last day by the
        person's own index (comment_author_time or comment_guest_time) first: written as one filter, the planner
        (above all without statistics) intersected them with the whole thread's comments, or every guest's, a
        cost that grew with the thread.
        """
        ops = connection.ops
        comments, bans, subscriptions = (
            ops.quote_name(model._meta.db_table) for model in (Comment, Ban, Subscription)
        )

        def at(moment):
            return ops.adapt_datetimefield_value(moment)

        if self.author is not None:
            same_person, person = "author_id = %s", [self.author.pk]
        else:
            same_person, person = "(author_id IS NULL AND UPPER(guest_email) = UPPER(%s))", [self.guest_email]
        ban_target, ban_params = "UPPER(email) = UPPER(%s)", [self.email]
        if not self.email:
            ban_target, ban_params = "1 = 0", []
        if self.author is not None:
            ban_target, ban_params = f"({ban_target} OR user_id = %s)", [*ban_params, self.author.pk]
        first_comment, first_params = "0", []
        if self.author is not None and self.policy.hold_first_member_comment:
            first_comment = f"EXISTS (SELECT 1 FROM {comments} WHERE author_id = %s AND status = %s)"
            first_params = [self.author.pk, CommentStatus.APPROVED.value]
        sql = f"""
            WITH mine AS MATERIALIZED (
                SELECT thread_id, body, is_deleted FROM {comments}
                WHERE {same_person} AND created_at >= %s
            )
            SELECT ban.found, ban.permanent, ban.until,
                EXISTS (SELECT 1 FROM mine WHERE thread_id = %s AND body = %s AND is_deleted = %s),
                EXISTS (SELECT 1 FROM {subscriptions} WHERE thread_id = %s),
                {first_comment},
                parent.id, parent.thread_id, parent.status, parent.is_deleted, parent.root_id, parent.depth
            FROM (SELECT COUNT(*) found, COUNT(*) - COUNT(expires_at) permanent, MAX(expires_at) until
                  FROM {bans} WHERE {ban_target} AND (expires_at IS NULL OR expires_at > %s)) ban
            LEFT JOIN {comments} parent ON parent.id = %s
        """  # noqa: S608 (table names from the models; every value is a parameter)
        params = [
            # A repeat within a day is a double submission or a flood; the same words a week later are a new
            # remark.
            *person, at(self.now - timedelta(days=1)),
            self.thread.pk, self.body, False,
            self.thread.pk,
            *first_params,
            *ban_params, at(self.now),
            self.parent_id,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found, permanent, until, is_duplicate, has_followers, has_approved, *parent = cursor.fetchone()
        until = from_raw_sql(until)
        return {
            "is_banned": bool(found),
            # The ban that lasts longest decides: never, when any of them has no expiry.
            "ban_expires_at": None if permanent else until,
            "is_duplicate": bool(is_duplicate),
            "has_followers": bool(has_followers),
            "has_approved_comment": bool(has_approved),
            # (id, thread_id, status, is_deleted, root_id, depth), or None when there is no such comment.
            "parent": tuple(parent) if parent[0] is not None else None,
        }


def honeypot_filled(submission: Submission) -> Verdict | None:
    if submission.honeypot.strip():
        return Verdict(Outcome.SPAM, "The hidden honeypot field was filled in, as only robots do.")
    return None


def banned(submission: Submission) -> Verdict | None:
    if not submission.facts["is_banned"]:
        return None
    expires_at = submission.facts["ban_expires_at"]
    if expires_at is None:
        return Verdict(Outcome.REJECT, "You can no longer comment on this site.", status=403)
    until = formats.date_format(timezone.localtime(expires_at), "DATETIME_FORMAT")
    return Verdict(Outcome.REJECT, f"You cannot comment on this site until {until}.", status=403)


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
            Outcome.REJECT, f"You can post at most {limit} comments a minute; wait a moment and try again.", 429
        )
    return None


def duplicate(submission: Submission) -> Verdict | None:
    if submission.facts["is_duplicate"]:
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
