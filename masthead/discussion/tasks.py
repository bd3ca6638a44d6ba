"""Background work for the discussion: reply notifications and the IP-hash purge, run by the task worker."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from masthead.discussion.models import Comment, CommentStatus, Subscription


def unsubscribe_url(token: str) -> str:
    return settings.MASTHEAD_BASE_URL + reverse("discussion:unsubscribe", kwargs={"token": token})


def permalink_url(comment: Comment) -> str:
    return settings.MASTHEAD_BASE_URL + reverse("discussion:permalink", kwargs={"comment_id": comment.pk})


@task()
def notify_subscribers(comment_id: int) -> int:
    """E-mail everyone following the replies to the comment's parent, or its whole thread; returns the count sent."""
    comment = (
        Comment.objects.select_related("author", "parent__author", "thread__page").filter(pk=comment_id).first()
    )
    if comment is None or comment.status != CommentStatus.APPROVED or comment.is_deleted:
        return 0
    subscriptions = Subscription.objects.select_related("user").filter(thread=comment.thread_id)
    subscriptions = subscriptions.filter(comment__isnull=True) | subscriptions.filter(comment=comment.parent_id)
    # One mail per person; a reply subscription wins over a thread one because its subject says more.
    chosen: dict[int, Subscription] = {}
    for subscription in subscriptions.order_by("comment_id"):
        if subscription.user_id == comment.author_id or not subscription.user.email:
            continue
        if subscription.user_id not in chosen or subscription.comment_id is not None:
            chosen[subscription.user_id] = subscription
    if not chosen:
        return 0
    article = comment.thread.page
    messages = []
    for subscription in chosen.values():
        is_reply = subscription.comment_id is not None
        context = {
            "comment": comment,
            "article": article,
            "is_reply": is_reply,
            "permalink": permalink_url(comment),
            "unsubscribe": unsubscribe_url(subscription.token),
        }
        subject = (
            f"{comment.author_name} replied to your comment on “{article.title}”"
            if is_reply
            else f"New comment on “{article.title}”"
        )
        messages.append(
            EmailMessage(
                subject=subject,
                body=render_to_string("discussion/email/new_comment.txt", context),
                to=[subscription.user.email],
                headers={
                    # RFC 8058: mail clients offer a one-click button that POSTs to this address.
                    "List-Unsubscribe": f"<{context['unsubscribe']}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        )
    with get_connection() as connection:
        connection.send_messages(messages)
    return len(messages)


@task()
def purge_ip_hashes() -> int:
    from masthead.discussion.actions import do_purge_ip_hashes

    return do_purge_ip_hashes()
