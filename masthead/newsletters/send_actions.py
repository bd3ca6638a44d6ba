"""The editors' newsletter writes: the choice made when publishing an article ("publish and send to <newsletter>,
segment"), mailing a published article on its own ("send only"), hand-written issues mailed when published,
pausing and resuming a send, and a test message to oneself (not recorded as a delivery)."""

from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.articles.models import ArticlePage
from masthead.membership.access import Reader
from masthead.membership.models import Tier
from masthead.newsletters.actions import NewsletterError, do_queue_article_sends, is_mailable
from masthead.newsletters.compose import ArticleComposer, Composer, IssueComposer
from masthead.newsletters.models import (
    ArticleSendChoice,
    Newsletter,
    NewsletterIssue,
    Segment,
    Send,
    SendKind,
    SendStatus,
)
from masthead.newsletters.tasks import send_newsletter

# The value of the "Publish and send" button's choice field: "<newsletter id>:<segment>", or this for nobody.
NOBODY = "nobody"


# Publishing an article -------------------------------------------------------------------------------------


def check_send_choice(*, value: str) -> tuple[Newsletter | None, str]:
    """The newsletter and segment in a "Publish and send" choice, or a NewsletterError saying what is wrong."""
    if value == NOBODY:
        return None, Segment.EVERYONE
    newsletter_id, _, segment = (value or "").partition(":")
    if segment not in Segment.values or not newsletter_id.isdigit():
        raise NewsletterError("Choose a newsletter and who of its subscribers gets the article.")
    newsletter = Newsletter.objects.filter(pk=int(newsletter_id), is_active=True).first()
    if newsletter is None:
        raise NewsletterError("That newsletter does not exist or is not active any more.", status=404)
    return newsletter, segment


def do_record_send_choice(*, article, newsletter: Newsletter | None, segment: str, user) -> ArticleSendChoice:
    """Kept until the article goes live (now, or when a scheduled publish happens), then used once."""
    choice, _ = ArticleSendChoice.objects.update_or_create(
        article_id=article.pk,
        defaults={"newsletter": newsletter, "segment": segment, "chosen_by": user, "chosen_at": timezone.now()},
    )
    return choice


def take_send_choice(article) -> ArticleSendChoice | None:
    """The editor's choice for this publish, removed as it is read (a later publish goes back to the default)."""
    choice = ArticleSendChoice.objects.select_related("newsletter").filter(article_id=article.pk).first()
    if choice is not None:
        choice.delete()
    return choice


def do_queue_published_article(*, article) -> list[Send]:
    """On every publish (inside its transaction): the editor's choice if one was made for this publish (one
    newsletter and segment, or nobody), else the default, each "each new article" newsletter to everyone."""
    choice = take_send_choice(article)
    if choice is None:
        return do_queue_article_sends(article=article)
    if choice.newsletter is None or not is_mailable(article):
        return []
    send = queue_send(
        newsletter=choice.newsletter, subject=article.title, user=choice.chosen_by, kind=SendKind.ARTICLE,
        article=article, segment=choice.segment,
    )
    return [send] if send else []


def queue_send(*, newsletter: Newsletter, subject: str, user=None, **fields) -> Send | None:
    """Write one Send and start its task after the commit; None when the same content went to it already."""
    try:
        with transaction.atomic():
            send = Send.objects.create(newsletter=newsletter, subject=subject, requested_by=user, **fields)
    except IntegrityError:
        return None
    transaction.on_commit(partial(send_newsletter.enqueue, send_id=send.pk))
    return send


# "Send only": an article already published, mailed now --------------------------------------------------


def check_send_article(*, article, newsletter: Newsletter) -> None:
    if not is_mailable(article):
        raise NewsletterError(
            "Only a published article open to everyone can be mailed: its links and its web view must work."
        )
    if Send.objects.filter(newsletter=newsletter, article=article).exists():
        raise NewsletterError(f"“{article.title}” was mailed to {newsletter.name} already.", status=409)


def do_send_article(*, article, newsletter: Newsletter, segment: str, user) -> Send | None:
    return queue_send(
        newsletter=newsletter, subject=article.title, user=user, kind=SendKind.ARTICLE, article=article,
        segment=segment,
    )


# Hand-written issues ---------------------------------------------------------------------------------------


def do_queue_issue_send(*, issue: NewsletterIssue) -> Send | None:
    """On publish, once per issue ever; an issue of an inactive newsletter, or a private page, is not mailed."""
    if not issue.newsletter.is_active or not NewsletterIssue.objects.live().public().filter(pk=issue.pk).exists():
        return None
    if Send.objects.filter(newsletter_id=issue.newsletter_id, issue=issue).exists():
        return None
    return queue_send(newsletter=issue.newsletter, subject=issue.title, kind=SendKind.ISSUE, issue=issue)


# The send page: pause and resume ---------------------------------------------------------------------------


def check_pause(*, send: Send) -> None:
    if send.status not in (SendStatus.QUEUED, SendStatus.SENDING):
        raise NewsletterError(f"This send is {send.get_status_display().lower()}: there is nothing to pause.")


def do_pause(*, send: Send) -> None:
    """The sending loop checks before each batch: no new batch is claimed; the one in flight finishes."""
    Send.objects.filter(pk=send.pk, status__in=[SendStatus.QUEUED, SendStatus.SENDING]).update(
        status=SendStatus.PAUSED
    )


def check_resume(*, send: Send) -> None:
    if send.status != SendStatus.PAUSED:
        raise NewsletterError("Only a paused send can be resumed.")


def do_resume(*, send: Send) -> None:
    status = SendStatus.SENDING if send.recipients_listed_at else SendStatus.QUEUED
    if Send.objects.filter(pk=send.pk, status=SendStatus.PAUSED).update(status=status):
        transaction.on_commit(partial(send_newsletter.enqueue, send_id=send.pk))


# Preview and test ------------------------------------------------------------------------------------------


def preview_readers() -> dict[str, tuple[str, Reader]]:
    """The access classes an editor can preview a message as: a free member, or a paying member of each tier.
    user_id 0 stands for "a member" to the gate; it names nobody."""
    readers = {"free": ("A free member", Reader(user_id=0))}
    for tier in Tier.objects.order_by("pk"):
        paying = Reader(user_id=0, tier_ids=frozenset({tier.pk}))
        readers[f"tier-{tier.pk}"] = (f"A paying member ({tier.name})", paying)
    return readers


def composer_for_page(page, newsletter: Newsletter) -> Composer:
    """The message an article or issue page would send, from its latest saved revision (what is being edited)."""
    draft = page.get_latest_revision_as_object()
    if isinstance(draft, NewsletterIssue):
        return IssueComposer(newsletter=draft.newsletter, issue=draft, subject=draft.title)
    if isinstance(draft, ArticlePage):
        return ArticleComposer(newsletter=newsletter, article=draft, subject=draft.title)
    raise NewsletterError("Only articles and newsletter issues are mailed.", status=404)


def do_send_test(*, composer: Composer, reader: Reader, email: str) -> None:
    """One message to the editor's own address, at once; no Delivery is written (it is not part of any send)."""
    message = composer.message_for(reader=reader, email=email, subscription=None)
    message.subject = f"[Test] {message.subject}"
    message.send()
