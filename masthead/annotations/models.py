"""Passages of an article that readers comment on (inline comments) and editors ask about (feedback points).

Both store the passage as the reader (or editor) chose it, in the W3C Web Annotation model (a StreamField
block id, a TextPositionSelector and a TextQuoteSelector over that block's plain text, see anchoring.py), and
where it was last found: every publish re-resolves them against the new revision (tasks.reanchor_article).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from masthead.annotations.anchoring import (
    CONTEXT_LENGTH,
    BodyMatch,
    MatchKind,
    Selectors,
    TextPositionSelector,
    TextQuoteSelector,
    reanchor_in_body,
)


class AnchorState(models.TextChoices):
    EXACT = "exact", "Attached to the same words"
    FUZZY = "fuzzy", "Attached to changed words"
    ORPHANED = "orphaned", "Lost its passage"


ATTACHED_STATES = (AnchorState.EXACT, AnchorState.FUZZY)


class Passage(models.Model):
    """A passage of one article: as chosen (never changed afterwards) and as last resolved."""

    article = models.ForeignKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="+")
    # The published revision whose text the passage was chosen in.
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    block_id = models.CharField(max_length=64)
    position_start = models.PositiveIntegerField()
    position_end = models.PositiveIntegerField()
    quote_exact = models.TextField()
    quote_prefix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    quote_suffix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)

    # Where the passage is in the revision it was last resolved against. An orphaned passage keeps the last
    # place it was found, so that a later revision that restores the words can attach it again.
    state = models.CharField(max_length=10, choices=AnchorState.choices, default=AnchorState.EXACT)
    confidence = models.FloatField(default=1.0, help_text="1 for the same words; lower for a fuzzy match.")
    resolved_block_id = models.CharField(max_length=64)
    resolved_start = models.PositiveIntegerField()
    resolved_end = models.PositiveIntegerField()
    resolved_exact = models.TextField()
    resolved_prefix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    resolved_suffix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    resolved_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def is_attached(self) -> bool:
        return self.state in ATTACHED_STATES

    @property
    def is_orphaned(self) -> bool:
        return self.state == AnchorState.ORPHANED

    @property
    def original_selectors(self) -> Selectors:
        return Selectors(
            TextPositionSelector(self.position_start, self.position_end),
            TextQuoteSelector(self.quote_exact, self.quote_prefix, self.quote_suffix),
        )

    @property
    def resolved_selectors(self) -> Selectors:
        return Selectors(
            TextPositionSelector(self.resolved_start, self.resolved_end),
            TextQuoteSelector(self.resolved_exact, self.resolved_prefix, self.resolved_suffix),
        )

    def set_selectors(self, block_id: str, selectors: Selectors, *, revision=None) -> None:
        """Set both the chosen and the resolved passage (a new anchor, made on `revision`)."""
        self.block_id = self.resolved_block_id = block_id
        self.position_start = self.resolved_start = selectors.position.start
        self.position_end = self.resolved_end = selectors.position.end
        self.quote_exact = self.resolved_exact = selectors.quote.exact
        self.quote_prefix = self.resolved_prefix = selectors.quote.prefix
        self.quote_suffix = self.resolved_suffix = selectors.quote.suffix
        self.state, self.confidence = AnchorState.EXACT, 1.0
        self.revision = self.resolved_revision = revision

    def resolve(self, texts: dict[str, str], *, revision_id: int | None) -> list[str]:
        """Find the passage in a new revision's block texts; returns the fields that changed, to save.

        It is looked for from where it was last found (so an edit that moved it a little, then a little more,
        is followed), and from where it was first chosen when that fails (an edit undone).
        """
        found = reanchor_in_body(self.resolved_block_id, self.resolved_selectors, texts)
        if not found.match.attached and self.resolved_selectors != self.original_selectors:
            found = reanchor_in_body(self.block_id, self.original_selectors, texts)
        self._apply(found)
        self.resolved_revision_id = revision_id
        self.resolved_at = timezone.now()
        return [*RESOLVED_FIELDS]

    def _apply(self, found: BodyMatch) -> None:
        match = found.match
        if not match.attached:
            self.state, self.confidence = AnchorState.ORPHANED, 0.0
            return
        self.state = AnchorState.FUZZY if match.kind is MatchKind.FUZZY else AnchorState.EXACT
        self.confidence = match.confidence if match.kind is MatchKind.FUZZY else 1.0
        self.resolved_block_id = found.block_id
        self.resolved_start, self.resolved_end = match.selectors.position.start, match.selectors.position.end
        self.resolved_exact = match.selectors.quote.exact
        self.resolved_prefix = match.selectors.quote.prefix
        self.resolved_suffix = match.selectors.quote.suffix


RESOLVED_FIELDS = (
    "state",
    "confidence",
    "resolved_block_id",
    "resolved_start",
    "resolved_end",
    "resolved_exact",
    "resolved_prefix",
    "resolved_suffix",
    "resolved_revision",
    "resolved_at",
)


def _passage_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(condition=Q(position_start__lt=models.F("position_end")),
                               name=f"{prefix}_passage_not_empty"),
        models.CheckConstraint(condition=Q(resolved_start__lt=models.F("resolved_end")),
                               name=f"{prefix}_resolved_not_empty"),
        models.CheckConstraint(condition=Q(state__in=AnchorState.values), name=f"{prefix}_state_known"),
    ]


class FeedbackPoint(Passage):
    """A question an editor asks readers about one passage; readers' answers are inline comments on it."""

    question = models.CharField(max_length=300, help_text="What you would like readers to tell you.")
    is_open = models.BooleanField(default=True, help_text="Readers may answer.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["article", "resolved_block_id", "resolved_start", "pk"]
        constraints = _passage_constraints("feedback_point")

    def __str__(self):
        return self.question


class InlineAnchorQuerySet(models.QuerySet):
    def shown_to_readers(self):
        """Anchors of comments readers can see (approved, not deleted)."""
        return self.filter(comment__status="approved", comment__is_deleted=False)

    def attached(self):
        return self.filter(state__in=ATTACHED_STATES)

    def orphaned(self):
        return self.filter(state=AnchorState.ORPHANED)


class InlineAnchor(Passage):
    """The passage an inline comment is about. The comment itself is an ordinary discussion comment."""

    comment = models.OneToOneField(
        "discussion.Comment", on_delete=models.CASCADE, related_name="inline_anchor"
    )
    feedback_point = models.ForeignKey(
        FeedbackPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )

    objects = InlineAnchorQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["article", "state"], name="inline_anchor_article_state")]
        constraints = _passage_constraints("inline_anchor")

    def __str__(self):
        return f"Passage of comment {self.comment_id}"

    @property
    def html_id(self) -> str:
        return f"passage-{self.pk}"
