"""One newsletter e-mail for one recipient: the article (or the digest's articles) as the gate lets them read
it, or a hand-written issue, rendered once per access class of reader, then personalised by substituting their
unsubscribe link.

The gate (membership.access, through membership.channels) decides what each access class may read, so a free
recipient's message holds the preview and a link, never the text after the cut.
"""

import re
import threading
from email.message import Message
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils import translation

from masthead.membership.access import Reader, gate_policy
from masthead.membership.actions import publication_name
from masthead.membership.channels import article_email_context
from masthead.articles.models import ArticlePage
from masthead.newsletters.models import Newsletter, NewsletterIssue, NewsletterSubscription, Send, SendKind
from masthead.newsletters.tokens import make_unsubscribe_token

try:  # CSS inlined into style attributes for mail clients that drop <style>; without it the <style> block stays
    import css_inline
except ImportError:  # pragma: no cover - depends on the environment
    css_inline = None

# Stands for the recipient's own unsubscribe address in the shared rendering; no template escaping changes it.
UNSUBSCRIBE_PLACEHOLDER = "MASTHEAD-UNSUBSCRIBE-URL-7f3a"
# The same in the prepared MIME message, for the recipient's address, the Date and the Message-ID.
TO_PLACEHOLDER = "masthead-recipient-7f3a@example.invalid"
DATE_PLACEHOLDER = "MASTHEAD-DATE-7f3a"
MESSAGE_ID_PLACEHOLDER = "<MASTHEAD-MESSAGE-ID-7f3a@example.invalid>"
# An address the prepared message may carry as it is: ASCII, no display name, nothing a header would encode.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
_RELATIVE_URL = re.compile(r'(\s(?:src|href)=")/(?!/)')


def unsubscribe_url(subscription_id: int) -> str:
    token = make_unsubscribe_token(subscription_id)
    return settings.MASTHEAD_BASE_URL + reverse("newsletters:unsubscribe", kwargs={"token": token})


def unsubscribe_url_maker():
    """`unsubscribe_url` for many recipients: the address resolved once, then each signed token put in."""
    template = unsubscribe_url(0).replace(make_unsubscribe_token(0), "{token}")
    return lambda subscription_id: template.format(token=make_unsubscribe_token(subscription_id))


class PreparedMIME(Message):
    """A MIME message already serialised, as Django's SMTP backend asks for it (`as_bytes(linesep="\r\n")`)."""

    def __init__(self, data: bytes):
        super().__init__()
        self.data = data

    def as_bytes(self, unixfrom=False, linesep="\n", policy=None):
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, linesep="\n", policy=None, maxheaderlen=0):
        return self.as_bytes(linesep=linesep).decode("utf-8", "replace")


class NewsletterMessage(EmailMultiAlternatives):
    """The message as any backend reads it (subject, body, alternatives, headers: anymail's providers), whose
    MIME form for SMTP is the access class's prepared bytes with this recipient's values put in, not built anew
    from the parts for every recipient."""

    prepared: bytes | None = None

    def message(self):
        if self.prepared is None:
            return super().message()
        return PreparedMIME(self.prepared)


class MIMETemplate:
    """One access class's message serialised once with placeholders; per recipient, four byte substitutions.

    Used only when each placeholder survived serialisation whole (an 8-bit body: a quoted-printable one may
    split it), and for recipients whose address a header carries as it is; otherwise the message is built.
    """

    def __init__(self, message: EmailMultiAlternatives, expected_unsubscribes: int):
        data = message.message().as_bytes(linesep="\r\n")
        usable = (
            data.count(UNSUBSCRIBE_PLACEHOLDER.encode()) == expected_unsubscribes
            and data.count(TO_PLACEHOLDER.encode()) == 1
            and data.count(DATE_PLACEHOLDER.encode()) == 1
            and data.count(MESSAGE_ID_PLACEHOLDER.encode()) == 1
        )
        self.data = data if usable else None

    def fill(self, *, email: str, unsubscribe: str, message_id: str) -> bytes | None:
        if self.data is None or not _PLAIN_ADDRESS.fullmatch(email):
            return None
        return (
            self.data.replace(UNSUBSCRIBE_PLACEHOLDER.encode(), unsubscribe.encode())
            .replace(TO_PLACEHOLDER.encode(), email.encode())
            .replace(DATE_PLACEHOLDER.encode(), formatdate().encode())
            .replace(MESSAGE_ID_PLACEHOLDER.encode(), message_id.encode())
        )


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


class Composer:
    """Builds each recipient's message for one send: rendered (`render`), CSS-inlined and serialised once per
    access class (safe to share between the threads of one send), then personalised by substitution."""

    def __init__(self, *, newsletter: Newsletter, subject: str):
        self.newsletter = newsletter
        self.subject = subject
        self.policy = gate_policy()
        self.sender = sender_of(newsletter)
        self.reply_to = [newsletter.reply_to] if newsletter.reply_to else []
        self._rendered: dict[str, tuple[str, str, MIMETemplate]] = {}
        self._lock = threading.Lock()
        self._unsubscribe_url = unsubscribe_url_maker()

    def render(self, reader: Reader) -> tuple[str, str]:
        raise NotImplementedError

    def cache_key(self, reader: Reader) -> str:
        return reader.access_class

    def base_context(self) -> dict:
        return {
            "newsletter": self.newsletter,
            "publication_name": publication_name(),
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        }

    def rendered_for(self, reader: Reader) -> tuple[str, str]:
        """The (text, html) for this reader's access class, with the placeholder for the unsubscribe link."""
        text, html, _template = self._prepared_for(reader)
        return text, html

    def _prepared_for(self, reader: Reader) -> tuple[str, str, MIMETemplate]:
        key = self.cache_key(reader)
        with self._lock:
            if key not in self._rendered:
                self._rendered[key] = self._prepare(reader)
            return self._rendered[key]

    def language(self) -> str:
        """The language the message speaks (its interface strings, its dates)."""
        return self.newsletter.language

    def _prepare(self, reader: Reader) -> tuple[str, str, MIMETemplate]:
        with translation.override(self.language()):
            text, html = self.render(reader)
        html = absolute_urls(html)
        if css_inline is not None:
            html = css_inline.inline(html)
        shared = self._message(text, html, email=TO_PLACEHOLDER, unsubscribe=UNSUBSCRIBE_PLACEHOLDER)
        shared.extra_headers |= {"Date": DATE_PLACEHOLDER, "Message-ID": MESSAGE_ID_PLACEHOLDER}
        expected = text.count(UNSUBSCRIBE_PLACEHOLDER) + html.count(UNSUBSCRIBE_PLACEHOLDER) + 1
        return text, html, MIMETemplate(shared, expected)

    def _message(self, text: str, html: str, *, email: str, unsubscribe: str) -> NewsletterMessage:
        message = NewsletterMessage(
            subject=self.subject,
            body=text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe),
            from_email=self.sender,
            to=[email],
            reply_to=self.reply_to,
            headers=list_headers(self.newsletter, unsubscribe),
        )
        message.attach_alternative(html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe), "text/html")
        return message

    def message_for(
        self, *, reader: Reader, email: str, subscription: NewsletterSubscription | None
    ) -> NewsletterMessage:
        """`subscription` None: a test to an editor, whose unsubscribe link points at the Subscribe page."""
        if subscription is None:
            unsubscribe = settings.MASTHEAD_BASE_URL + reverse("newsletters:subscribe")
        else:
            unsubscribe = self._unsubscribe_url(subscription.pk)
        text, html, template = self._prepared_for(reader)
        message = self._message(text, html, email=email, unsubscribe=unsubscribe)
        # One Message-ID in both forms of the message: providers and bounces name it (mail_provider).
        message.extra_headers["Message-ID"] = make_msgid(domain=urlsplit(settings.MASTHEAD_BASE_URL).hostname or DNS_NAME)
        message.prepared = template.fill(
            email=email, unsubscribe=unsubscribe, message_id=message.extra_headers["Message-ID"]
        )
        return message

class ArticleComposer(Composer):
    """One article, through the gate for each access class."""

    def __init__(self, *, newsletter: Newsletter, article, subject: str):
        super().__init__(newsletter=newsletter, subject=subject)
        self.article = article

    def language(self) -> str:
        return self.article.language  # the mail speaks the article's language

    def render(self, reader: Reader) -> tuple[str, str]:
        context = article_email_context(self.article, reader, policy=self.policy)
        context |= self.base_context() | {"text_direction": self.article.text_direction}
        return (
            render_to_string("newsletters/email/article.txt", context),
            render_to_string("newsletters/email/article.html", context),
        )


class DigestComposer(Composer):
    """Several articles in one message, each through the gate as a send of its own would be."""

    def __init__(self, *, newsletter: Newsletter, articles: list, subject: str):
        super().__init__(newsletter=newsletter, subject=subject)
        self.articles = articles

    def render(self, reader: Reader) -> tuple[str, str]:
        entries = [article_email_context(article, reader, policy=self.policy) for article in self.articles]
        context = self.base_context() | {
            "entries": entries,
            "subject": self.subject,
            "language": self.newsletter.language,
            "text_direction": "rtl" if self.newsletter.language in settings.LANGUAGES_BIDI else "ltr",
        }
        return (
            render_to_string("newsletters/email/digest.txt", context),
            render_to_string("newsletters/email/digest.html", context),
        )


class IssueComposer(Composer):
    """A hand-written issue: the same for every recipient (the newsletter's audience decided who gets it)."""

    def __init__(self, *, newsletter: Newsletter, issue: NewsletterIssue, subject: str):
        super().__init__(newsletter=newsletter, subject=subject)
        self.issue = issue

    def cache_key(self, reader: Reader) -> str:
        return "issue"

    def render(self, reader: Reader) -> tuple[str, str]:
        context = self.base_context() | {
            "issue": self.issue,
            "url": self.issue.get_full_url() or settings.MASTHEAD_BASE_URL + self.issue.url,
            "text_direction": self.issue.text_direction,
            "text": "\n\n".join(_block_text(block) for block in self.issue.body if _block_text(block)),
        }
        return (
            render_to_string("newsletters/email/issue.txt", context),
            render_to_string("newsletters/email/issue.html", context),
        )


def _block_text(block) -> str:
    if block.block_type == "paragraph":
        return strip_tags(block.value.source).strip()
    if block.block_type == "heading":
        return str(block.value).upper()
    if block.block_type == "quote":
        return f"“{block.value}”"
    return ""


def composer_for(send: Send) -> Composer | None:
    """The composer of what `send` mails, or None when that is no longer published for everyone (deleted,
    unpublished or given a view restriction): what is left of the send is then not sent."""
    if send.kind == SendKind.DIGEST:
        articles = list(
            ArticlePage.objects.live().public().filter(pk__in=send.digest_articles.values("pk"))
            .order_by("first_published_at", "pk")
        )
        if not articles:
            return None
        return DigestComposer(newsletter=send.newsletter, articles=articles, subject=send.subject)
    if send.kind == SendKind.ISSUE:
        issue = NewsletterIssue.objects.live().public().filter(pk=send.issue_id).first()
        return issue and IssueComposer(newsletter=send.newsletter, issue=issue, subject=send.subject)
    article = ArticlePage.objects.live().public().filter(pk=send.article_id).first()
    return article and ArticleComposer(newsletter=send.newsletter, article=article, subject=send.subject)
