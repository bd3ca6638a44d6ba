"""Members, paid tiers, subscriptions, complimentary access, one-time sign-in links, gate settings."""

import hashlib
from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from masthead.core.time import local_today


class GateMode(models.TextChoices):
    OFF = "off", "Off: every article is free to read, whatever its access level"
    SOFT_PROMPT = "soft_prompt", "Soft prompt: a dismissible invitation to subscribe; nothing is hidden"
    REGISTRATION_WALL = (
        "registration_wall",
        "Registration wall: the archive older than N days needs a free membership",
    )
    METERED = "metered", "Metered: N free articles per 30 days, then sign-in"
    PAYWALL = "paywall", "Paywall: each article's access level is enforced"


@register_setting(icon="lock")
class GateSettings(BaseSiteSetting):
    mode = models.CharField(max_length=20, choices=GateMode.choices, default=GateMode.PAYWALL)
    registration_wall_days = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1)],
        help_text="Registration wall: articles older than this many days need a free membership.",
    )
    metered_free_articles = models.PositiveIntegerField(
        default=3,
        help_text=(
            "Metered: free articles per 30 days for a reader who is not signed in. "
            "The count lives in a signed "
            "cookie, so a reader who clears cookies or switches browsers starts again."
        ),
    )

    panels = [
        FieldPanel("mode"),
        MultiFieldPanel(
            [FieldPanel("registration_wall_days"), FieldPanel("metered_free_articles")],
            heading="Numbers for the registration wall and the meter",
        ),
        HelpPanel(
            content="Members and staff always read everything the article's access level allows them. "
            "Feeds, search results, the API and social cards never carry more than the preview "
            "of a gated article."
        ),
    ]

    class Meta:
        verbose_name = "Gate"


class Tier(models.Model):
    """A paid tier. "Free" is not a row: every member without a paid tier is a free member."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    benefits = models.TextField(blank=True, help_text="One benefit per line.")
    currency = models.CharField(
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO currency code, e.g. EUR.")],
    )
    monthly_price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    yearly_price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    stripe_monthly_price_id = models.CharField(
        max_length=100, blank=True, help_text="Stripe price ID, price_..."
    )
    stripe_yearly_price_id = models.CharField(
        max_length=100, blank=True, help_text="Stripe price ID, price_..."
    )
    is_active = models.BooleanField(default=True, help_text="Offered to new subscribers.")
    sort_order = models.PositiveIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("benefits"),
        MultiFieldPanel(
            [FieldPanel("currency"), FieldPanel("monthly_price"), FieldPanel("yearly_price")],
            heading="Prices",
        ),
        MultiFieldPanel(
            [FieldPanel("stripe_monthly_price_id"), FieldPanel("stripe_yearly_price_id")], heading="Stripe"
        ),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]

    def stripe_price_id(self, interval: str) -> str:
        return (
            self.stripe_monthly_price_id if interval == BillingInterval.MONTH else self.stripe_yearly_price_id
        )


class BillingInterval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Member(models.Model):
    """A reader's membership; identity is the user's e-mail address (unique, see accounts)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    joined_at = models.DateTimeField(default=timezone.now)
    stripe_customer_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_customer_id"],
                condition=~Q(stripe_customer_id=""),
                name="unique_stripe_customer",
            )
        ]

    def __str__(self):
        return self.user.email


class SubscriptionStatus(models.TextChoices):
    INCOMPLETE = "incomplete", _("Incomplete")
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Payment failed, retrying")
    CANCELED = "canceled", _("Cancelled")
    UNPAID = "unpaid", _("Unpaid")


# While the provider retries a failed payment the reader keeps reading; access ends when it gives up.
STATUSES_WITH_ACCESS = [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE]


class Subscription(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="subscriptions")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="subscriptions")
    interval = models.CharField(max_length=5, choices=BillingInterval.choices)
    status = models.CharField(max_length=12, choices=SubscriptionStatus.choices)
    provider_subscription_id = models.CharField(max_length=100, unique=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # The provider's time of the newest event applied, so that a late, older event cannot undo a newer one.
    last_event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.member} · {self.tier} ({self.get_status_display()})"

    @property
    def gives_access(self) -> bool:
        return self.status in STATUSES_WITH_ACCESS


class ComplimentaryAccessQuerySet(models.QuerySet):
    def current(self, today: date | None = None):
        return self.filter(until__gte=today or local_today())


class ComplimentaryAccess(models.Model):
    """A tier given by an editor, free of charge, until a date (inclusive)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="complimentary_access")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="complimentary_access")
    until = models.DateField(help_text="The last day of access.")
    note = models.CharField(max_length=200, blank=True, help_text="Why, for other editors.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ComplimentaryAccessQuerySet.as_manager()

    panels = [FieldPanel("member"), FieldPanel("tier"), FieldPanel("until"), FieldPanel("note")]

    class Meta:
        verbose_name = "complimentary access"
        verbose_name_plural = "complimentary access"
        ordering = ["-until"]

    def __str__(self):
        return f"{self.member}: {self.tier} until {self.until:%Y-%m-%d}"


class LinkPurpose(models.TextChoices):
    SIGN_UP = "sign_up", _("Confirm sign-up")
    SIGN_IN = "sign_in", _("Sign in")
    CHANGE_EMAIL = "change_email", _("Confirm a new e-mail address")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SignInLink(models.Model):
    """A one-time link sent by e-mail. Only the token's hash is stored; the link is bound to `email`."""

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=12, choices=LinkPurpose.choices)
    email = models.EmailField(help_text="The address the link was sent to; the link works only for it.")
    display_name = models.CharField(max_length=100, blank=True)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    next_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class PaymentEvent(models.Model):
    """A payment provider's event, recorded once: a second delivery of the same event is ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=80)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="unique_payment_event")]
