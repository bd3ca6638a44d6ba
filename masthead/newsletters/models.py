"""Newsletters, who subscribes to them, and the sends: one Send per (newsletter, article), one Delivery per
(send, member), so that a message is never sent twice however often the task runs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from masthead.core.i18n import use_language
from masthead.membership.access import reader_for_request
from masthead.membership.models import Member, Tier
from masthead.newsletters.blocks import IssueBodyBlock


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone who subscribes: free and paying members alike"
    PAID = "paid", "Paying members: any paid tier, or only the tiers chosen below"


class Cadence(models.TextChoices):
    EACH_ARTICLE = "each_article", "Each new article, as it is published"
    DAILY = "daily", "A daily digest, at the time below"
    WEEKLY = "weekly", "A weekly digest, on the day and at the time below"
    MANUAL = "manual", "Hand-written issues only"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Newsletter(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in the addresses of its pages.")
    description = models.TextField(blank=True, help_text="One or two sentences shown where readers choose.")
    sender_name = models.CharField(
        max_length=100, blank=True, help_text="The name the mail comes from; the publication's name when blank."
    )
    sender_address = models.EmailField(
        blank=True, help_text="The address the mail comes from; the site's DEFAULT_FROM_EMAIL when blank."
    )
    reply_to = models.EmailField(blank=True, help_text="Where replies go; the sender address when blank.")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    default_on_sign_up = models.BooleanField(
        default=False, help_text="New subscribers from the Subscribe form get it without choosing it."
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    tiers = models.ManyToManyField(
        Tier, blank=True, related_name="newsletters", help_text="Paying members: only these tiers (none: any)."
    )
    cadence = models.CharField(max_length=15, choices=Cadence.choices, default=Cadence.EACH_ARTICLE)
    # Digests: the local time (settings.TIME_ZONE) and, for weekly ones, the day (digests.py).
    send_time = models.TimeField(null=True, blank=True, help_text="Digests: the local time they are sent.")
    send_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, null=True, blank=True, help_text="Weekly digests: the day they are sent."
    )
    is_active = models.BooleanField(default=True, help_text="Untick to stop sending without losing subscribers.")
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("sender_name"), FieldPanel("sender_address"), FieldPanel("reply_to"), FieldPanel("language")],
            heading="Sender",
        ),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("tiers"), FieldPanel("default_on_sign_up")], heading="Who gets it"
        ),
        MultiFieldPanel(
            [FieldPanel("cadence"), FieldRowPanel([FieldPanel("send_weekday"), FieldPanel("send_time")])],
            heading="When",
        ),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.cadence in (Cadence.DAILY, Cadence.WEEKLY) and self.send_time is None:
            raise ValidationError({"send_time": "A digest needs the time of day it is sent."})
        if self.cadence == Cadence.WEEKLY and self.send_weekday is None:
            raise ValidationError({"send_weekday": "A weekly digest needs the day it is sent."})

    def is_open_to(self, tier_ids: frozenset[int]) -> bool:
        """Whether a member with these paid tiers may receive it (the tiers from membership.access)."""
        if self.audience == Audience.EVERYONE:
            return True
        chosen = {tier.pk for tier in self.tiers.all()}
        return bool(tier_ids & chosen) if chosen else bool(tier_ids)


class SubscriptionState(models.TextChoices):
    SUBSCRIBED = "subscribed", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    BOUNCED = "bounced", "Suppressed: the address bounced"
    COMPLAINED = "complained", "Suppressed: marked as spam"


class ConsentSource(models.TextChoices):
    SUBSCRIBE_FORM = "subscribe_form", "The Subscribe form, confirmed by e-mail"
    MEMBER_PAGE = "member_page", "The member's own page"
    IMPORT = "import", "An import"
    EDITOR = "editor", "Added by an editor"


class NewsletterSubscriptionQuerySet(models.QuerySet):
    def subscribed(self):
        return self.filter(state=SubscriptionState.SUBSCRIBED, member__user__is_active=True)


class NewsletterSubscription(models.Model):
    """One member's relation to one newsletter; kept when they leave, so that the history says what they chose."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="newsletter_subscriptions")
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="subscriptions")
    state = models.CharField(max_length=15, choices=SubscriptionState.choices, default=SubscriptionState.SUBSCRIBED)
    subscribed_at = models.DateTimeField(default=timezone.now, help_text="When they signed up (the last time).")
    consent_source = models.CharField(max_length=20, choices=ConsentSource.choices)
    state_changed_at = models.DateTimeField(default=timezone.now)

    objects = NewsletterSubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "newsletter"], name="unique_newsletter_subscription")
        ]
        indexes = [models.Index(fields=["newsletter", "state"])]

    def __str__(self):
        return f"{self.member} · {self.newsletter} ({self.get_state_display()})"


class SendStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Waiting for the mail server: it failed, and sending resumes after a pause"
    PAUSED = "paused", "Paused by an editor"
    DONE = "done", "Done"


class SendKind(models.TextChoices):
    ARTICLE = "article", "An article"
    DIGEST = "digest", "A digest"
    ISSUE = "issue", "A hand-written issue"


class Segment(models.TextChoices):
    """Who of a newsletter's subscribers one send goes to (chosen by the editor when publishing)."""

    EVERYONE = "everyone", "Everyone subscribed"
    FREE = "free", "Free members only"
    PAID = "paid", "Paying members only"


class Send(models.Model):
    """One article, digest or hand-written issue going out to one newsletter's subscribers."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="sends")
    kind = models.CharField(max_length=10, choices=SendKind.choices, default=SendKind.ARTICLE)
    article = models.ForeignKey(
        "articles.ArticlePage", null=True, on_delete=models.SET_NULL, related_name="newsletter_sends"
    )
    issue = models.ForeignKey(
        "newsletters.NewsletterIssue", null=True, blank=True, on_delete=models.SET_NULL, related_name="sends"
    )
    # Digests: the articles first published in (period_start, period_end], and the period's key ("2026-12-07").
    digest_articles = models.ManyToManyField("articles.ArticlePage", blank=True, related_name="newsletter_digests")
    period_key = models.CharField(max_length=20, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    segment = models.CharField(max_length=10, choices=Segment.choices, default=Segment.EVERYONE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    recipients_listed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The mail server failed (refused the connection, went away): how many times in a row, its last answer, and
    # when sending resumes (the backoff doubles each time, sending.backoff).
    server_failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    # Messages that may have reached a reader twice: one in flight on each connection when its worker died or its
    # server went away (the server may have taken it without our hearing so). An upper bound, never an estimate.
    possible_duplicates = models.PositiveIntegerField(
        default=0, help_text="Messages in flight when a worker died or the mail server went away: sent again."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # An article goes to a newsletter once, however often it is published again.
            models.UniqueConstraint(
                fields=["newsletter", "article"], condition=Q(article__isnull=False), name="unique_article_send"
            ),
            # An issue once per newsletter; a digest once per newsletter and period, however many schedulers run.
            models.UniqueConstraint(
                fields=["newsletter", "issue"], condition=Q(issue__isnull=False), name="unique_issue_send"
            ),
            models.UniqueConstraint(
                fields=["newsletter", "period_key"], condition=~Q(period_key=""), name="unique_digest_period"
            ),
        ]

    def __str__(self):
        return f"{self.newsletter}: {self.subject}"


class ArticleSendChoice(models.Model):
    """What the editor chose when publishing an article: mail it to one newsletter and segment, or to nobody.
    Read (and removed) when the article goes live, so a scheduled publish keeps the choice."""

    article = models.OneToOneField(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="newsletter_choice"
    )
    newsletter = models.ForeignKey(
        Newsletter, null=True, blank=True, on_delete=models.CASCADE, help_text="None: publish without mailing."
    )
    segment = models.CharField(max_length=10, choices=Segment.choices, default=Segment.EVERYONE)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Handed to a worker"
    SENT = "sent", "Accepted by the mail server"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not sent: unsubscribed before it left"
    # Reported afterwards by the provider's webhook (provider_events.py): accepted, then bounced or reported.
    BOUNCED = "bounced", "Bounced (reported by the mail provider)"
    COMPLAINED = "complained", "Marked as spam by the recipient"


class Delivery(models.Model):
    """One message of a send to one member, written before it leaves; unique, so it is never sent twice."""

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="newsletter_deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A worker claims a batch by writing its claim here; a claim older than the stale limit is taken back.
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The id the mail backend gave the message (anymail's message_id, or the Message-ID header we set), without
    # angle brackets: a provider's bounce or complaint names it, and so finds this row.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["send", "member"], name="unique_delivery")]
        indexes = [models.Index(fields=["send", "status"]), models.Index(fields=["claim"])]


# Hand-written issues: pages of their own, under one index page, each mailed to its newsletter when published.


class NewsletterIndexPage(Page):
    """Where the hand-written issues live (their "view in browser" address), under the home page."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["articles.HomePage"]
    subpage_types = ["newsletters.NewsletterIssue"]
    max_count = 1

    class Meta:
        verbose_name = "newsletter issues index"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["issues"] = (
            NewsletterIssue.objects.live().public().child_of(self).select_related("newsletter")
            .order_by("-first_published_at")[:50]
        )
        return context


class NewsletterIssue(Page):
    """A hand-written issue: publishing it mails it to its newsletter's subscribers, once."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    standfirst = models.TextField(blank=True, help_text="One or two sentences under the title.")
    body = StreamField(IssueBodyBlock())

    content_panels = Page.content_panels + [FieldPanel("newsletter"), FieldPanel("standfirst"), FieldPanel("body")]
    parent_page_types = ["newsletters.NewsletterIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "newsletter issue"

    @property
    def text_direction(self) -> str:
        return "rtl" if self.newsletter.language in settings.LANGUAGES_BIDI else "ltr"

    def may_be_read_by(self, reader) -> bool:
        """The web view follows the newsletter's audience: a paying members' issue is not open on the web."""
        return reader.is_staff or self.newsletter.is_open_to(reader.tier_ids)

    def serve(self, request, *args, **kwargs):
        use_language(self.newsletter.language)  # the issue's page speaks its newsletter's language, as its e-mail
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["may_read"] = self.may_be_read_by(reader_for_request(request))
        return context


class ProviderEventKind(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    SOFT_BOUNCE = "soft_bounce", "Soft bounce"
    COMPLAINT = "complaint", "Spam complaint"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribed at the provider"
    DELIVERED = "delivered", "Delivered"


class ProviderEvent(models.Model):
    """A bounce, complaint, unsubscribe or delivery that the mail provider reported through its webhook: kept to
    count soft bounces, to answer "why was this address suppressed?", and to ignore the provider's retries."""

    kind = models.CharField(max_length=15, choices=ProviderEventKind.choices)
    email = models.EmailField(max_length=254)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="newsletter_provider_events"
    )
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="provider_events"
    )
    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=255, blank=True, help_text="The provider's id of the event, if any.")
    message_id = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], condition=~Q(event_id=""), name="unique_provider_event"
            )
        ]
        indexes = [models.Index(fields=["member", "kind", "received_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.email}"


class SubscriberImport(models.Model):
    """A CSV of subscribers uploaded in the admin: previewed (a dry run) first, imported when the editor confirms.
    The file's text is dropped once imported; the counts stay, as the record of who imported what."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=20)
    content = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} → {self.newsletter}"
