"""The mail provider's tracking webhook (bounces, complaints, unsubscribes): anymail's own view for the provider
this site sends through, at /anymail/<provider>/tracking/ as anymail names it.

Only that provider's view is served, and only with ANYMAIL_WEBHOOK_SECRET set: an unconfigured provider's view
would fail with a 500, and Postmark's or SES's would accept events from anyone (they have no signature of their
own), so that a stranger could suppress any subscriber. Everything else answers 404. anymail checks the
password and, where the provider signs its requests (Mailgun, Postal), the signature; a failed check is a 400.
"""

from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postal import PostalTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.conf import settings
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

# MASTHEAD_EMAIL_PROVIDER -> (the path segment anymail documents, its tracking view)
TRACKING_VIEWS = {
    "ses": ("amazon_ses", AmazonSESTrackingWebhookView),
    "postmark": ("postmark", PostmarkTrackingWebhookView),
    "mailgun": ("mailgun", MailgunTrackingWebhookView),
    "sendgrid": ("sendgrid", SendGridTrackingWebhookView),
    "brevo": ("brevo", BrevoTrackingWebhookView),
    "postal": ("postal", PostalTrackingWebhookView),
}


@csrf_exempt  # a provider's server posting, not a browser; anymail's own views are exempt the same way
def tracking_webhook(request, provider: str):
    segment, view = TRACKING_VIEWS.get(settings.MASTHEAD_EMAIL_PROVIDER, ("", None))
    if view is None or provider != segment or not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        raise Http404("No mail provider webhook here.")
    return view.as_view()(request)
