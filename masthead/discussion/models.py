"""Comments under articles, the votes, reports and bans around them, and the editors' audit trail."""

import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from masthead.core.request_state import state_of


def wilson_lower_bound(up: int, down: int, z: float = 1.96) -> float:
    """The lower bound of the 95% Wilson interval for the share of up votes: a confidence, not a tally.

    One lucky up vote (1/0) scores about 0.21, while 50 up and 5 down scores about 0.80.
    """
    total = up + down
    if total == 0:
        return 0.0
    share = up / total
    centre = share + z * z / (2 * total)
    spread = z * math.sqrt((share * (1 - share) + z * z / (4 * total)) / total)
    return (centre - spread) / (1 + z * z / total)


class WhoMayComment(models.TextChoices):
    MEMBERS = "members", "Signed-in members only"
    EVERYONE = "everyone", "Members and guests (name and e-mail)"


class BlocklistAction(models.TextChoices):
    HOLD = "hold", "Hold for approval"
    REJECT = "reject", "Reject"


POLICY_CACHE_KEY = "discussion:policy"
# With Redis every process sees a saved policy at once (the key is deleted on save); with the local-memory cache
# each process holds its own copy, so other processes pick the change up within this many seconds.
POLICY_CACHE_SECONDS = 30


def forget_cached_policy() -> None:
    cache.delete(POLICY_CACHE_KEY)


@register_setting(icon="comment")
class DiscussionSettings(BaseGenericSetting):
    """The site's comment policy, edited by editors under Settings → Discussion."""

    who_may_comment = models.CharField(
        max_length=20, choices=WhoMayComment.choices, default=WhoMayComment.MEMBERS
    )
    hold_guest_comments = models.BooleanField(default=True, help_text="Guests' comments wait for approval.")
    hold_first_member_comment = models.BooleanField(
        default=False, help_text="A member's first comment waits for approval."
    )
    max_links = models.PositiveSmallIntegerField(
        default=2, help_text="Comments with more links than this wait for approval."
    )
    blocklist = models.TextField(
        blank=True, help_text="One word or phrase a line; matched case-insensitively on whole words."
    )
    blocklist_action = models.CharField(
        max_length=10, choices=BlocklistAction.choices, default=BlocklistAction.HOLD
    )
    close_after_days = models.PositiveIntegerField(
        default=0, help_text="Close comments this many days after publication; 0 keeps them open."
    )

    panels = [
        FieldPanel("who_may_comment"),
        FieldPanel("hold_guest_comments"),
        FieldPanel("hold_first_member_comment"),
        FieldPanel("max_links"),
        MultiFieldPanel([FieldPanel("blocklist"), FieldPanel("blocklist_action")], heading="Blocklist"),
        FieldPanel("close_after_days"),
    ]

    class Meta:
        verbose_name = "Discussion"

    @classmethod
    def current(cls, request=None) -> "DiscussionSettings":
        """The saved policy, or the defaults when editors never saved one: reading it never writes a row.

        Every post and every page with comments reads it, so it is cached, and dropped when an editor saves. A
        request keeps the copy it read first (`state_of(request).discussion_policy`): one cache read per request, and the
        same policy for every decision in it.
        """
        state = state_of(request) if request is not None else None
        if state is not None and state.discussion_policy is not None:
            return state.discussion_policy
        policy = cache.get(POLICY_CACHE_KEY)
        if policy is None:
            policy = cls._saved_or_default()
            cache.set(POLICY_CACHE_KEY, policy, POLICY_CACHE_SECONDS)
        if state is not None:
            state.discussion_policy = policy
        return policy

    @classmethod
    def _saved_or_default(cls) -> "DiscussionSettings":
        return cls.objects.first() or cls()

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Dropped now for this process, and again after the commit so that no reader caches the old row meanwhile.
        forget_cached_policy()
        transaction.on_commit(forget_cached_policy)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_cached_policy()
        transaction.on_commit(forget_cached_policy)
        return result

    @property
    def blocked_phrases(self) -> list[str]:
        return [line.strip().lower() for line in self.blocklist.splitlines() if line.strip()]


class ThreadQuerySet(models.QuerySet):
    def record_change(self, delta: int = 0) -> int:
        """Record a change readers can see: the visible count moves by `delta` and the version goes up.

        The database adds, in one UPDATE, so concurrent writes never overwrite each other's increments. Its row
        lock lasts until the transaction commits: writers run it last, after every other write of theirs.
        """
        return self.update(comment_count=F("comment_count") + delta, version=F("version") + 1)


class Thread(models.Model):
    """An article's discussion: whether it is open, and how many comments readers can see."""

    page = models.OneToOneField(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="discussion_thread"
    )
    is_closed = models.BooleanField(default=False, help_text="No new comments, replies or votes.")
    # Kept equal to the visible comments by every action that changes them, so lists need no COUNT.
    comment_count = models.PositiveIntegerField(default=0)
    # Raised by every write that changes what readers see; part of the key of the cached thread HTML and JSON.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ThreadQuerySet.as_manager()

    def __str__(self):
        return f"Discussion of page {self.page_id}"

    def closes_at(self, policy: DiscussionSettings):
        published = self.page.first_published_at
        if not policy.close_after_days or published is None:
            return None
        return published + timedelta(days=policy.close_after_days)

    def is_open(self, policy: DiscussionSettings, now=None) -> bool:
        if self.is_closed:
            return False
        closes_at = self.closes_at(policy)
        return closes_at is None or (now or timezone.now()) < closes_at


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SPAM = "spam", "Spam"


class CommentSort(models.TextChoices):
    OLDEST = "oldest", _("Oldest")
    NEWEST = "newest", _("Newest")
    MOST_VOTED = "votes", _("Most voted")


# How a comment whose author deleted their account is signed, wherever comments are shown or sent.
DELETED_MEMBER_NAME = "deleted member"


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What readers see: approved comments, and deleted ones kept as placeholders for their replies."""
        return self.filter(status=CommentStatus.APPROVED)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def sorted_by(self, sort: str):
        orderings = {
            CommentSort.OLDEST: ["created_at", "pk"],
            CommentSort.NEWEST: ["-created_at", "-pk"],
            CommentSort.MOST_VOTED: ["-wilson", "-score", "created_at", "pk"],
        }
        return self.order_by(*orderings.get(sort, orderings[CommentSort.OLDEST]))

    def for_display(self):
        return self.select_related("author", "parent__author").defer("body", "ip_hash")

    def needing_moderation(self, queue: str):
        if queue == "reported":
            return self.filter(flags__resolved=False).exclude(status=CommentStatus.SPAM).distinct()
        if queue == "spam":
            return self.filter(status=CommentStatus.SPAM)
        if queue == "approved":
            return self.filter(status=CommentStatus.APPROVED)
        return self.filter(status=CommentStatus.PENDING)


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    # CASCADE so that deleting an article takes its conversations with it; a reader's own delete keeps a
    # placeholder when there are replies (actions.do_delete_comment), so replies never vanish that way.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of the conversation (itself for a top-level one), so that a page of conversations
    # and all their replies load in two queries.
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=1)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    guest_name = models.CharField(max_length=80, blank=True)
    guest_email = models.EmailField(blank=True)
    # A guest's web address, as imported comments carry one; private like the e-mail until the page shows it.
    guest_url = models.URLField(blank=True, max_length=500)
    # The author deleted their account: the comment stays for the conversation's sake, naming no one.
    author_deleted = models.BooleanField(default=False)

    body = models.TextField(help_text="The Markdown the reader wrote.")
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING)
    hold_reasons = models.JSONField(default=list, blank=True)
    is_deleted = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False, help_text="An editor's pick, shown first.")

    # The tallies include the imported ones below, so that Most Voted sorts an imported comment by its old votes.
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    # Votes a comment brought from another system (wpDiscuz), which has no vote rows here; new votes add to them.
    imported_upvotes = models.PositiveIntegerField(default=0)
    imported_downvotes = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    wilson = models.FloatField(default=0.0)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A keyed hash, never the address itself; emptied after MASTHEAD_DISCUSSION_IP_RETENTION_DAYS.
    ip_hash = models.CharField(max_length=64, blank=True)
    # When moderators were e-mailed that it waits for approval (actions/notices.py); emptied when it is held again.
    moderators_notified_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["thread", "status", "parent", "created_at"], name="comment_thread_time"),
            models.Index(fields=["thread", "status", "parent", "wilson"], name="comment_thread_votes"),
            models.Index(fields=["root", "created_at"], name="comment_root_time"),
            models.Index(fields=["status", "created_at"], name="comment_status_time"),
            # The rate limit and duplicate rules look up one person's (or one address's) recent comments.
            models.Index(fields=["author", "created_at"], name="comment_author_time"),
            # Partial, so that looking up a guest's comments never also reads every guest comment's entry in the
            # author index (the planner intersected the two without statistics).
            models.Index(
                Upper("guest_email"), "created_at", condition=Q(author__isnull=True), name="comment_guest_time"
            ),
            models.Index(fields=["ip_hash", "created_at"], name="comment_ip_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommentStatus.values), name="comment_status_known"
            ),
            # A member, a named guest, or a member who has since deleted their account.
            models.CheckConstraint(
                condition=Q(author__isnull=False) | ~Q(guest_name="") | Q(author_deleted=True),
                name="comment_has_an_author",
            ),
            # What is left of a deleted member's comment identifies no one.
            models.CheckConstraint(
                condition=Q(author_deleted=False)
                | Q(author__isnull=True, guest_name="", guest_email="", ip_hash=""),
                name="deleted_member_comment_is_anonymous",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=1) | Q(parent__isnull=False, depth__gt=1),
                name="comment_depth_matches_parent",
            ),
            models.CheckConstraint(condition=Q(score=models.F("upvotes") - models.F("downvotes")),
                                   name="comment_score_is_up_minus_down"),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_name}"

    @property
    def author_name(self) -> str:
        if self.author_deleted:
            return DELETED_MEMBER_NAME
        return self.author.public_name if self.author_id else self.guest_name

    @property
    def author_email(self) -> str:
        return self.author.email if self.author_id else self.guest_email

    @property
    def is_counted(self) -> bool:
        """Counted in the thread's `comment_count`: approved and not a deleted placeholder."""
        return self.status == CommentStatus.APPROVED and not self.is_deleted

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    def is_editable_by(self, user, now=None) -> bool:
        if not (user.is_authenticated and self.author_id == user.pk) or self.is_deleted:
            return False
        window = timedelta(minutes=settings.MASTHEAD_DISCUSSION_EDIT_MINUTES)
        return (now or timezone.now()) < self.created_at + window

    def is_deletable_by(self, user) -> bool:
        return bool(user.is_authenticated and self.author_id == user.pk and not self.is_deleted)

    @cached_property
    def edit_deadline(self):
        return self.created_at + timedelta(minutes=settings.MASTHEAD_DISCUSSION_EDIT_MINUTES)


class VoteValue(models.IntegerChoices):
    UP = 1, "Up"
    DOWN = -1, "Down"


class Vote(models.Model):
    """A member's vote (`voter`) or, when the policy lets guests comment, a guest's (`guest_key`: the hash of the
    random id in the guest's signed cookie, see discussion.guests)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="comment_votes"
    )
    guest_key = models.CharField(max_length=64, blank=True, default="")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "voter"], name="one_vote_per_member_per_comment"),
            models.UniqueConstraint(
                fields=["comment", "guest_key"], condition=~Q(guest_key=""), name="one_vote_per_guest_per_comment"
            ),
            models.CheckConstraint(
                condition=Q(voter__isnull=False, guest_key="") | Q(voter__isnull=True) & ~Q(guest_key=""),
                name="vote_by_member_or_guest",
            ),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_is_plus_or_minus_one"),
        ]


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Abuse or harassment")
    OFF_TOPIC = "off_topic", _("Off topic")
    MISINFORMATION = "misinformation", _("Misleading or false")
    OTHER = "other", _("Something else")


class Flag(models.Model):
    """A reader's report of a comment, waiting in the moderation queue until an editor acts on it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_ip_hash = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    note = models.CharField(max_length=500, blank=True)
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # When moderators were e-mailed about the report (actions/notices.py).
    moderators_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The admin's counts and the moderators' notices read only the open reports.
        indexes = [models.Index(fields=["comment"], condition=Q(resolved=False), name="flag_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], condition=Q(reporter__isnull=False), name="one_report_per_member"
            ),
            models.CheckConstraint(condition=Q(reason__in=FlagReason.values), name="flag_reason_known"),
        ]


class BanQuerySet(models.QuerySet):
    def in_force(self, now=None):
        """Bans that still apply: without an expiry, or expiring later than now."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))

    def naming(self, *, user=None, email: str = ""):
        """Bans on this member (by account, or by their e-mail address) or on this guest's e-mail address."""
        who = Q(email__iexact=email) if email else Q(pk__in=[])
        if user is not None:
            who |= Q(user=user)
        return self.filter(who)


class Ban(models.Model):
    """A member or an e-mail address that may no longer comment, for good or until `expires_at`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="comment_ban"
    )
    email = models.EmailField(blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the ban lasts until it is lifted.")

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(email=""), name="ban_names_someone"),
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="one_ban_per_email"),
        ]

    def __str__(self):
        return self.email or f"member {self.user_id}"

    @property
    def target(self) -> str:
        """Who is banned, as editors read it."""
        if self.user_id:
            return f"{self.user.public_name} <{self.user.email}>" if self.user.email else self.user.public_name
        return self.email

    def is_in_force(self, now=None) -> bool:
        return self.expires_at is None or self.expires_at > (now or timezone.now())


def new_token() -> str:
    return secrets.token_urlsafe(24)


class GuestAddress(models.Model):
    """A guest's e-mail address and whether its owner confirmed wanting our mail.

    A guest's address is unverified, so the first subscription with it sends only a confirmation link; nothing
    else is sent to it until that link is followed. Confirmed once, the address stays confirmed.
    """

    email = models.EmailField(unique=True, help_text="Stored lower-cased.")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Subscription(models.Model):
    """Someone who wants an e-mail on new replies: to one comment, or anywhere in a thread.

    Either a member (`user`) or a guest (`guest`, mailed only once the address is confirmed).
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    guest = models.ForeignKey(GuestAddress, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="subscriptions")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, guest__isnull=True) | Q(user__isnull=True, guest__isnull=False),
                name="subscription_member_or_guest",
            ),
            models.UniqueConstraint(
                fields=["user", "comment"], condition=Q(comment__isnull=False), name="one_reply_subscription"
            ),
            models.UniqueConstraint(
                fields=["user", "thread"], condition=Q(comment__isnull=True), name="one_thread_subscription"
            ),
            models.UniqueConstraint(
                fields=["guest", "comment"], condition=Q(comment__isnull=False), name="one_guest_reply_subscription"
            ),
            models.UniqueConstraint(
                fields=["guest", "thread"], condition=Q(comment__isnull=True), name="one_guest_thread_subscription"
            ),
        ]

    @property
    def email(self) -> str:
        return self.user.email if self.user_id else self.guest.email


class ModerationAction(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    SPAM = "spam", "Marked as spam"
    EDIT = "edit", "Edited"
    PIN = "pin", "Pinned"
    UNPIN = "unpin", "Unpinned"
    BAN = "ban", "Banned the author"
    UNBAN = "unban", "Lifted a ban"
    DISMISS_REPORTS = "dismiss", "Dismissed the reports"
    HIDE = "hide", "Hidden after reports"
    CLOSE = "close", "Closed the thread"
    OPEN = "open", "Reopened the thread"
    IMPORT = "import", "Imported comments"


class ModerationEvent(models.Model):
    """The audit log: who did what to which comment, when."""

    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=ModerationAction.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
