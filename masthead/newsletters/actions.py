"""Every newsletter write: subscribing by the double opt-in form, joining and leaving, unsubscribing by link,
and queueing the sends of a newly published article."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from masthead.articles.models import ArticlePage
from masthead.core import ratelimit
from masthead.membership.access import reader_for_user
from masthead.membership.actions import create_member, member_for_email, publication_name
from masthead.membership.models import Member
from masthead.newsletters import tokens
from masthead.newsletters.models import (
    Cadence,
    ConsentSource,
    Newsletter,
    NewsletterSubscription,
    Send,
    SubscriptionState,
)
from masthead.newsletters.tasks import send_newsletter


class NewsletterError(Exception):
    """A request that cannot be carried out, with a message for the reader and the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400, title: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.title = title or _("That did not work")


# The Subscribe form (double opt-in) --------------------------------------------------------------------------


def check_request_subscription(*, email: str, ip_address: str) -> None:
    """Refuse when the address or the IP asked too often; the same answer whether or not it is a member."""
    per_address = ratelimit.allow(
        "subscribe-address",
        email,
        limit=settings.MASTHEAD_SUBSCRIBE_REQUESTS_PER_ADDRESS,
        window_seconds=3600,
    )
    per_ip = ratelimit.allow(
        "subscribe-ip", ip_address or "unknown", limit=settings.MASTHEAD_SUBSCRIBE_REQUESTS_PER_IP, window_seconds=3600
    )
    if not (per_address and per_ip):
        raise NewsletterError(
            _("Too many subscriptions were asked for from here or for this address. Wait an hour and try again."),
            status=429,
            title=_("Too many requests"),
        )


def confirm_url(email: str) -> str:
    """The link in the confirmation mail; it names the language the mail speaks, so its pages speak it too."""
    token = tokens.make_confirm_token(email)
    language = translation.get_language()
    query = f"?lang={language}" if language and language != settings.LANGUAGE_CODE else ""
    return settings.MASTHEAD_BASE_URL + reverse("newsletters:confirm", kwargs={"token": token}) + query


def do_request_subscription(*, email: str) -> None:
    """Mail a confirmation link to the address, member or not: nothing is stored until it is confirmed, and the
    reader's answer is the same either way."""
    name = publication_name()
    body = render_to_string(
        "newsletters/email/confirm.txt",
        {
            "url": confirm_url(email),
            "publication_name": name,
            "hours": settings.MASTHEAD_NEWSLETTER_CONFIRM_HOURS,
            "newsletters": list(Newsletter.objects.filter(is_active=True, default_on_sign_up=True)),
        },
    )
    transaction.on_commit(partial(send_mail, _("Confirm your subscription to %(name)s") % {"name": name}, body, None, [email]))


def check_confirm_subscription(*, token: str) -> str:
    """The confirmed address, or a NewsletterError saying plainly why the link cannot be used."""
    try:
        return tokens.read_confirm_token(token)
    except tokens.BadToken as error:
        raise NewsletterError(str(error), title=_("This link cannot be used")) from None


def do_confirm_subscription(*, email: str) -> Member:
    """Make the address a free member (or find its membership) and subscribe it to the default newsletters.
    Confirming twice changes nothing more."""
    with transaction.atomic():
        member = member_for_email(email) or create_member(email=email, display_name="")
        if member is None:
            raise NewsletterError(
                _(
                    "This address belongs to an account that runs the site, or to one that was closed, so it "
                    "cannot be subscribed by link. Staff choose newsletters from their member page."
                ),
                status=403,
                title=_("This address cannot subscribe here"),
            )
        tier_ids = reader_for_user(member.user).tier_ids
        for newsletter in Newsletter.objects.filter(is_active=True, default_on_sign_up=True).prefetch_related("tiers"):
            if newsletter.is_open_to(tier_ids):
                _subscribe(member=member, newsletter=newsletter, source=ConsentSource.SUBSCRIBE_FORM)
    return member


def subscribed_newsletters(member: Member) -> list[Newsletter]:
    subscriptions = member.newsletter_subscriptions.filter(state=SubscriptionState.SUBSCRIBED)
    return [subscription.newsletter for subscription in subscriptions.select_related("newsletter")]


def _subscribe(*, member: Member, newsletter: Newsletter, source: str) -> NewsletterSubscription:
    now = timezone.now()
    subscription, created = NewsletterSubscription.objects.get_or_create(
        member=member,
        newsletter=newsletter,
        defaults={"consent_source": source, "subscribed_at": now, "state_changed_at": now},
    )
    if not created and subscription.state != SubscriptionState.SUBSCRIBED:
        # Asked for again, explicitly: a confirmed link or the member's own click lifts a suppression too.
        subscription.state = SubscriptionState.SUBSCRIBED
        subscription.consent_source = source
        subscription.subscribed_at = subscription.state_changed_at = now
        subscription.save(update_fields=["state", "consent_source", "subscribed_at", "state_changed_at"])
    return subscription


# The member's page -------------------------------------------------------------------------------------------


def newsletters_for_member(member: Member) -> list[Newsletter]:
    """The active newsletters this member may receive."""
    tier_ids = reader_for_user(member.user).tier_ids
    newsletters = Newsletter.objects.filter(is_active=True).prefetch_related("tiers")
    return [newsletter for newsletter in newsletters if newsletter.is_open_to(tier_ids)]


def check_join(*, member: Member, slug: str) -> Newsletter:
    newsletter = Newsletter.objects.filter(slug=slug, is_active=True).prefetch_related("tiers").first()
    if newsletter is None:
        raise NewsletterError(_("There is no newsletter called %(slug)r.") % {"slug": slug}, status=404, title=_("No such newsletter"))
    if not newsletter.is_open_to(reader_for_user(member.user).tier_ids):
        raise NewsletterError(
            _("%(name)s is for paying members of another tier.") % {"name": newsletter.name}, status=403, title=_("Not for your tier")
        )
    return newsletter


def do_join(*, member: Member, newsletter: Newsletter) -> NewsletterSubscription:
    return _subscribe(member=member, newsletter=newsletter, source=ConsentSource.MEMBER_PAGE)


def check_leave(*, slug: str) -> Newsletter:
    newsletter = Newsletter.objects.filter(slug=slug).first()
    if newsletter is None:
        raise NewsletterError(_("There is no newsletter called %(slug)r.") % {"slug": slug}, status=404, title=_("No such newsletter"))
    return newsletter


def do_leave(*, member: Member, newsletter: Newsletter) -> None:
    NewsletterSubscription.objects.filter(
        member=member, newsletter=newsletter, state=SubscriptionState.SUBSCRIBED
    ).update(state=SubscriptionState.UNSUBSCRIBED, state_changed_at=timezone.now())


# The unsubscribe link --------------------------------------------------------------------------------------


def check_unsubscribe(*, token: str) -> NewsletterSubscription:
    try:
        subscription_id = tokens.read_unsubscribe_token(token)
    except tokens.BadToken as error:
        raise NewsletterError(str(error), title=_("This link cannot be used")) from None
    subscription = (
        NewsletterSubscription.objects.select_related("newsletter", "member__user").filter(pk=subscription_id).first()
    )
    if subscription is None:
        raise NewsletterError(
            _("This subscription no longer exists: nothing more will be sent for it."),
            status=404,
            title=_("Nothing to unsubscribe"),
        )
    return subscription


def do_unsubscribe(*, subscription: NewsletterSubscription) -> None:
    """Unsubscribed at once; a suppressed address stays suppressed (that says more than unsubscribed)."""
    NewsletterSubscription.objects.filter(pk=subscription.pk, state=SubscriptionState.SUBSCRIBED).update(
        state=SubscriptionState.UNSUBSCRIBED, state_changed_at=timezone.now()
    )


# Sending ---------------------------------------------------------------------------------------------------


def is_newly_published(article, *, now=None) -> bool:
    """First published within the window: an imported archive piece, or one published long ago and put back
    live, is not mailed."""
    first = article.first_published_at
    limit = timedelta(hours=settings.MASTHEAD_NEWSLETTER_SEND_WINDOW_HOURS)
    return first is not None and first >= (now or timezone.now()) - limit


def is_mailable(article) -> bool:
    """Live and without a view restriction (a password or a group): a private page is never mailed."""
    return ArticlePage.objects.live().public().filter(pk=article.pk).exists()


def do_queue_article_sends(*, article) -> list[Send]:
    """A Send per "each new article" newsletter, once per article ever, each started by a task after the commit.

    Called on every publish; the unique (newsletter, article) row makes a second publish a no-op.
    """
    if not is_newly_published(article) or not is_mailable(article):
        return []
    queued = []
    for newsletter in Newsletter.objects.filter(is_active=True, cadence=Cadence.EACH_ARTICLE):
        if Send.objects.filter(newsletter=newsletter, article=article).exists():
            continue
        try:
            with transaction.atomic():
                send = Send.objects.create(newsletter=newsletter, article=article, subject=article.title)
        except IntegrityError:  # published twice at once: the other publish queued it
            continue
        transaction.on_commit(partial(send_newsletter.enqueue, send_id=send.pk))
        queued.append(send)
    return queued
