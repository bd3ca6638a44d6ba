"""What the newsletters app does when other apps say something happened (connected in NewslettersConfig)."""

from functools import partial

from anymail.signals import tracking
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published

from masthead.articles.models import ArticlePage
from masthead.core.signals import announce_changes, personal_data_requested
from masthead.newsletters.models import Newsletter, NewsletterIssue, NewsletterSubscription
from masthead.newsletters.send_actions import do_queue_issue_send, do_queue_published_article
from masthead.newsletters.event_actions import do_record_provider_event
from masthead.newsletters.mail_provider import event_kind, normalise_message_id
from masthead.newsletters.models import ProviderEvent


def article_published(sender, instance, **kwargs):
    """Inside the publish's transaction: the sends are written with it, and their tasks start after the commit."""
    do_queue_published_article(article=instance)


def issue_published(sender, instance, **kwargs):
    do_queue_issue_send(issue=instance)


def newsletters_changed(sender, **kwargs):
    """Article pages show a Subscribe box only while a newsletter is offered: cached pages are stale now."""
    transaction.on_commit(partial(announce_changes, content=True))


def newsletter_data(sender, user, **kwargs) -> dict:
    subscriptions = NewsletterSubscription.objects.filter(member__user=user).select_related("newsletter")
    return {
        "newsletter_subscriptions": [
            {
                "newsletter": subscription.newsletter.name,
                "state": subscription.state,
                "subscribed_at": subscription.subscribed_at.isoformat(),
                "consent_source": subscription.consent_source,
            }
            for subscription in subscriptions.order_by("newsletter__name")
        ],
        # What mail providers reported about the member's address (bounces, complaints), and when.
        "newsletter_provider_reports": [
            {
                "kind": event.kind,
                "provider": event.provider,
                "description": event.description,
                "at": event.occurred_at.isoformat(),
            }
            for event in ProviderEvent.objects.filter(member__user=user).order_by("occurred_at")
        ],
    }


def provider_event_reported(sender, event, esp_name, **kwargs):
    """anymail's tracking signal: a provider's webhook, its signature or password already checked by anymail."""
    kind = event_kind(event)
    if kind is None:
        return
    do_record_provider_event(
        provider=esp_name,
        kind=kind,
        email=event.recipient or "",
        message_id=normalise_message_id(event.message_id),
        event_id=str(event.event_id or ""),
        description=event.description or event.mta_response or "",
        occurred_at=event.timestamp,
    )


def connect() -> None:
    page_published.connect(article_published, sender=ArticlePage, dispatch_uid="masthead.newsletters.published")
    page_published.connect(issue_published, sender=NewsletterIssue, dispatch_uid="masthead.newsletters.issue")
    post_save.connect(newsletters_changed, sender=Newsletter, dispatch_uid="masthead.newsletters.saved")
    post_delete.connect(newsletters_changed, sender=Newsletter, dispatch_uid="masthead.newsletters.deleted")
    personal_data_requested.connect(newsletter_data, dispatch_uid="masthead.newsletters.personal_data")
    tracking.connect(provider_event_reported, dispatch_uid="masthead.newsletters.provider_event")
