"""What the newsletters app does when other apps say something happened (connected in NewslettersConfig)."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published

from masthead.articles.models import ArticlePage
from masthead.core.signals import announce_changes, personal_data_requested
from masthead.newsletters.models import Newsletter, NewsletterIssue, NewsletterSubscription
from masthead.newsletters.send_actions import do_queue_issue_send, do_queue_published_article


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
        ]
    }


def connect() -> None:
    page_published.connect(article_published, sender=ArticlePage, dispatch_uid="masthead.newsletters.published")
    page_published.connect(issue_published, sender=NewsletterIssue, dispatch_uid="masthead.newsletters.issue")
    post_save.connect(newsletters_changed, sender=Newsletter, dispatch_uid="masthead.newsletters.saved")
    post_delete.connect(newsletters_changed, sender=Newsletter, dispatch_uid="masthead.newsletters.deleted")
    personal_data_requested.connect(newsletter_data, dispatch_uid="masthead.newsletters.personal_data")
