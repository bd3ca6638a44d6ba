"""Source outlets' RSS/Atom feeds that editors follow, and the items already taken from each (never twice)."""

from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from masthead.articles.models import WebURLField
from masthead.sources.forms import SourceFeedForm

# An item's id (or link) longer than this is kept as its SHA-256 instead: ids are opaque and only compared.
ITEM_KEY_LENGTH = 255


class FeedStatus(models.TextChoices):
    NEW = "new", "Not checked yet"
    OK = "ok", "Fetched"
    NOT_MODIFIED = "not_modified", "Unchanged since the last check"
    ERROR = "error", "Failed"


class SourceFeedQuerySet(models.QuerySet):
    def due(self, now: datetime):
        """Feeds switched on whose next check has come (a feed never checked is due at once)."""
        return self.filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now), is_active=True)


class SourceFeed(models.Model):
    """An RSS or Atom feed of a source outlet: its new items arrive as draft republished articles."""

    source_outlet = models.ForeignKey(
        "articles.SourceOutlet", on_delete=models.PROTECT, related_name="feeds",
        help_text="The outlet whose pieces this feed lists; each draft is credited to it.",
    )
    url = WebURLField(max_length=500, unique=True, verbose_name="feed address",
                      help_text="The RSS or Atom feed's address (http:// or https://).")
    section = models.ForeignKey(
        "articles.SectionPage", on_delete=models.PROTECT, related_name="+",
        help_text="New items become draft articles in this section.",
    )
    licence_note = models.TextField(
        help_text="The permission or licence under which we republish this outlet's pieces, shown to readers "
                  "(e.g. 'Republished under CC BY-ND 4.0').",
    )
    check_every_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text="How often to look for new items: 5 minutes to a week.",
    )
    is_active = models.BooleanField(default=True, help_text="Untick to stop checking this feed.")

    # What the last check found; kept by the checks, shown read-only on the feed's admin page.
    status = models.CharField(max_length=20, choices=FeedStatus.choices, default=FeedStatus.NEW)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_result = models.TextField(blank=True, help_text="What the last check did.")
    last_error = models.TextField(blank=True, help_text="Why the last check failed, if it did.")
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_errors = models.PositiveIntegerField(default=0)
    # The validators the feed's server sent with its last full answer, sent back for a conditional GET.
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)

    objects = SourceFeedQuerySet.as_manager()

    base_form_class = SourceFeedForm
    panels = [
        FieldPanel("source_outlet"),
        FieldPanel("url"),
        FieldPanel("section"),
        FieldPanel("licence_note"),
        FieldPanel("check_every_minutes"),
        FieldPanel("is_active"),
        MultiFieldPanel(
            [
                FieldPanel("status", read_only=True),
                FieldPanel("last_checked_at", read_only=True),
                FieldPanel("next_check_at", read_only=True),
                FieldPanel("last_result", read_only=True),
                FieldPanel("last_error", read_only=True),
                FieldPanel("last_error_at", read_only=True),
                FieldPanel("consecutive_errors", read_only=True),
            ],
            heading="Last check",
        ),
    ]

    class Meta:
        ordering = ["source_outlet__name", "url"]

    def __str__(self):
        return f"{self.source_outlet.name}: {self.url}"

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.check_every_minutes)


class FeedItem(models.Model):
    """An item of a feed that has been taken (or refused), keyed on its id or link, so it is never taken twice.

    The row stays when an editor deletes the draft made from it: deleting is the editor's answer to that item.
    """

    feed = models.ForeignKey(SourceFeed, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=ITEM_KEY_LENGTH, help_text="The item's id (guid) or, without one, its link.")
    link = models.URLField(max_length=500)
    title = models.CharField(max_length=255)
    article = models.ForeignKey(
        "articles.ArticlePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "key"], name="unique_item_per_feed")]
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title
