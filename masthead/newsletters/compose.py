"""One newsletter e-mail for one recipient: the article as the gate lets them read it, rendered once per access
class of reader, then personalised by substituting their unsubscribe link.

The gate (membership.access, through membership.channels) decides what each access class may read, so a free
recipient's message holds the preview and a link, never the text after the cut.
"""

import re
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from masthead.membership.access import Reader, gate_policy
from masthead.membership.actions import publication_name
from masthead.membership.channels import article_email_context
from masthead.newsletters.models import Newsletter, NewsletterSubscription
from masthead.newsletters.tokens import make_unsubscribe_token

try:  # CSS inlined into style attributes for mail clients that drop <style>; without it the <style> block stays
    import css_inline
except ImportError:  # pragma: no cover - depends on the environment
    css_inline = None

# Stands for the recipient's own unsubscribe address in the shared rendering; no template escaping changes it.
UNSUBSCRIBE_PLACEHOLDER = "MASTHEAD-UNSUBSCRIBE-URL-7f3a"
_RELATIVE_URL = re.compile(r'(\s(?:src|href)=")/(?!/)')


def unsubscribe_url(subscription_id: int) -> str:
    token = make_unsubscribe_token(subscription_id)
    return settings.MASTHEAD_BASE_URL + reverse("newsletters:unsubscribe", kwargs={"token": token})


def sender_of(newsletter: Newsletter) -> str:
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if not newsletter.sender_name and not newsletter.sender_address:
        return settings.DEFAULT_FROM_EMAIL
    name = newsletter.sender_name or publication_name() or default_name
    return formataddr((name, newsletter.sender_address or default_address))


def list_headers(newsletter: Newsletter, unsubscribe: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the https address."""
    targets = [f"<{unsubscribe}>"]
    if settings.MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    host = urlsplit(settings.MASTHEAD_BASE_URL).hostname
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{newsletter.name} <{newsletter.slug}.{host}>",
    }


def absolute_urls(html: str) -> str:
    """Images and links as absolute addresses: in a mail client, /media/... points nowhere."""
    return _RELATIVE_URL.sub(lambda match: f"{match.group(1)}{settings.MASTHEAD_BASE_URL}/", html)


class ArticleComposer:
    """Builds each recipient's message for one article and one newsletter, rendering once per access class."""

    def __init__(self, *, newsletter: Newsletter, article, subject: str):
        self.newsletter = newsletter
        self.article = article
        self.subject = subject
        self.policy = gate_policy()
        self.sender = sender_of(newsletter)
        self.reply_to = [newsletter.reply_to] if newsletter.reply_to else []
        self._rendered: dict[str, tuple[str, str]] = {}

    def rendered_for(self, reader: Reader) -> tuple[str, str]:
        """The (text, html) for this reader's access class, with the placeholder for the unsubscribe link."""
        key = reader.access_class
        if key not in self._rendered:
            context = article_email_context(self.article, reader, policy=self.policy)
            context |= {
                "newsletter": self.newsletter,
                "publication_name": publication_name(),
                "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
                "text_direction": self.article.text_direction,
            }
            with translation.override(self.article.language):  # the mail speaks the article's language
                text = render_to_string("newsletters/email/article.txt", context)
                html = absolute_urls(render_to_string("newsletters/email/article.html", context))
            if css_inline is not None:
                html = css_inline.inline(html)
            self._rendered[key] = (text, html)
        return self._rendered[key]

    def message_for(
        self, *, reader: Reader, email: str, subscription: NewsletterSubscription
    ) -> EmailMultiAlternatives:
        unsubscribe = unsubscribe_url(subscription.pk)
        text, html = self.rendered_for(reader)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe),
            from_email=self.sender,
            to=[email],
            reply_to=self.reply_to,
            headers=list_headers(self.newsletter, unsubscribe),
        )
        message.attach_alternative(html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe), "text/html")
        return message
