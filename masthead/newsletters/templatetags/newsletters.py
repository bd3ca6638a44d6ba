"""Template tags other apps' templates use: the Subscribe form, and the member page's newsletter section."""

from django import template

from masthead.newsletters.actions import newsletters_for_member
from masthead.newsletters.forms import SubscribeForm
from masthead.newsletters.models import Newsletter, NewsletterSubscription, SubscriptionState

register = template.Library()


@register.inclusion_tag("newsletters/includes/subscribe_form.html", takes_context=True)
def subscribe_form(context, button: str = ""):
    """The one-field form (its button says "Subscribe" in the page's language unless `button` is given); csrf_token is the page cache's hole on cached pages (delivery/holes.py)."""
    return {"form": SubscribeForm(), "button": button, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("newsletters/includes/article_subscribe.html", takes_context=True)
def article_subscribe(context):
    """The Subscribe box at the end of an article, when there is a newsletter a new subscriber gets. The same for
    every reader, so the cached page stays one per access class; saving a newsletter marks cached pages stale
    (receivers.newsletters_changed)."""
    offered = Newsletter.objects.filter(is_active=True, default_on_sign_up=True).exists()
    return {"offered": offered, "form": SubscribeForm(), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("newsletters/includes/subscribe_prompt.html", takes_context=True)
def subscribe_prompt(context):
    """The gate's soft prompt: "Subscribe now to keep reading", as new articles by e-mail, while a newsletter is
    offered. The same for every reader of the prompt (it is cached with the body per access class)."""
    return article_subscribe(context)


@register.inclusion_tag("newsletters/includes/member_newsletters.html", takes_context=True)
def member_newsletters(context, member):
    """Each newsletter the member may receive, with a Join or Leave button."""
    states = dict(
        NewsletterSubscription.objects.filter(member=member).values_list("newsletter_id", "state")
    )
    rows = [
        {"newsletter": newsletter, "subscribed": states.get(newsletter.pk) == SubscriptionState.SUBSCRIBED}
        for newsletter in newsletters_for_member(member)
    ]
    return {"rows": rows, "csrf_token": context.get("csrf_token"), "saved": context.get("saved")}
