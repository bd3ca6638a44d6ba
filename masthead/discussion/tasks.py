"""Background work for the discussion: reply notifications, guest confirmations and the IP-hash purge."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from masthead.discussion.models import Comment, CommentStatus, GuestAddress, Subscription
from masthead.membership.access import ANONYMOUS, Visibility, access_article, gate_policy, reader_for_user


def unsubscribe_url(token: str) -> str:
    return settings.MASTHEAD_BASE_URL + reverse("discussion:unsubscribe", kwargs={"token": token})


def permalink_url(comment: Comment) -> str:
    return settings.MASTHEAD_BASE_URL + reverse("discussion:permalink", kwargs={"comment_id": comment.pk})


def _one_click_unsubscribe(url: str) -> dict:
    # RFC 8058: mail clients offer a one-click button that POSTs to this address.
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@task()
def notify_subscribers(comment_id: int) -> int:
    """E-mail everyone following the replies to the comment's parent, or its whole thread; returns the count sent.

    Members are mailed at their account's address; guests only once they have confirmed theirs.
    """
    comment = (
        Comment.objects.select_related("author", "parent__author", "thread__page").filter(pk=comment_id).first()
    )
    if comment is None or comment.status != CommentStatus.APPROVED or comment.is_deleted:
        return 0
    subscriptions = Subscription.objects.select_related("user", "guest").filter(thread=comment.thread_id)
    subscriptions = subscriptions.filter(Q(comment__isnull=True) | Q(comment=comment.parent_id)).filter(
        Q(user__isnull=False) | Q(guest__confirmed_at__isnull=False)
    )
    # The author of the new comment, member or guest, is not told about it.
    own_address = (comment.author.email if comment.author_id else comment.guest_email).lower()
    # One mail per address; a reply subscription wins over a thread one because its subject says more.
    chosen: dict[str, Subscription] = {}
    for subscription in subscriptions.order_by("comment_id"):
        address = subscription.email
        if not address or (subscription.user_id and subscription.user_id == comment.author_id):
            continue
        if address.lower() == own_address:
            continue
        if address.lower() not in chosen or subscription.comment_id is not None:
            chosen[address.lower()] = subscription
    if not chosen:
        return 0
    article = comment.thread.page
    policy = gate_policy()
    messages = []
    for subscription in chosen.values():
        # A comment can quote the article: followers who may no longer read all of it (a lapsed subscription,
        # an article moved behind the paywall) are not sent it.
        reader = reader_for_user(subscription.user) if subscription.user_id else ANONYMOUS
        if access_article(reader, article, policy=policy) != Visibility.ALL:
            continue
        is_reply = subscription.comment_id is not None
        context = {
            "comment": comment,
            "article": article,
            "is_reply": is_reply,
            "permalink": permalink_url(comment),
            "unsubscribe": unsubscribe_url(subscription.token),
        }
        with translation.override(article.language):  # the mail speaks the article's language, as its page
            names = {"name": comment.author_name, "title": article.title}
            subject = (
                _("%(name)s replied to your comment on “%(title)s”") % names
                if is_reply
                else _("New comment on “%(title)s”") % names
            )
            body = render_to_string("discussion/email/new_comment.txt", context)
        messages.append(
            EmailMessage(
                subject=subject,
                body=body,
                to=[subscription.email],
                headers=_one_click_unsubscribe(context["unsubscribe"]),
            )
        )
    if not messages:
        return 0
    with get_connection() as connection:
        connection.send_messages(messages)
    return len(messages)


def confirm_url(token: str) -> str:
    return settings.MASTHEAD_BASE_URL + reverse("discussion:confirm_guest", kwargs={"token": token})


@task()
def send_guest_confirmation(address_id: int) -> int:
    """Ask a guest to confirm the address they gave before anything else is sent to it; returns the count sent."""
    address = GuestAddress.objects.filter(pk=address_id, confirmed_at__isnull=True).first()
    if address is None:
        return 0
    subscription = (
        address.subscriptions.select_related("thread__page").order_by("-created_at", "-pk").first()
    )
    if subscription is None:
        return 0
    context = {
        "article": subscription.thread.page,
        "confirm": confirm_url(address.token),
        "unsubscribe": unsubscribe_url(subscription.token),
    }
    with translation.override(context["article"].language):
        subject = _("Confirm your e-mail address to follow replies on “%(title)s”") % {
            "title": context["article"].title
        }
        body = render_to_string("discussion/email/confirm_guest.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[address.email],
        headers=_one_click_unsubscribe(context["unsubscribe"]),
    )
    return message.send()
