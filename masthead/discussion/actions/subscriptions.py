"""Following replies (members, and guests once their address is confirmed), unsubscribing, and queueing the
reply notifications themselves."""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.discussion.actions.threads import thread_for
from masthead.discussion.errors import DiscussionError
from masthead.discussion.models import Comment, GuestAddress, Subscription, Thread
from masthead.discussion.tasks import notify_subscribers, send_guest_confirmation

# A guest who subscribes again before confirming gets the link again, but at most this often.
CONFIRMATION_RESEND_AFTER = timedelta(hours=1)


def announce_comment(comment: Comment, *, has_followers: bool | None = None) -> None:
    """Queue the reply notifications, after the commit, when anyone follows the thread.

    Most threads have no followers: asking costs less than queueing a task that would find none, and the rules'
    query has usually asked already (`has_followers`).
    """
    if has_followers is None:
        has_followers = Subscription.objects.filter(thread_id=comment.thread_id).exists()
    if has_followers:
        transaction.on_commit(partial(notify_subscribers.enqueue, comment_id=comment.pk))


def subscribe_author(comment: Comment) -> Subscription:
    """Follow the replies to a new comment; a guest's unconfirmed address is first sent a confirmation link."""
    if comment.author_id:
        subscription, _ = Subscription.objects.get_or_create(
            thread_id=comment.thread_id, comment=comment, user_id=comment.author_id
        )
        return subscription
    address, _ = GuestAddress.objects.get_or_create(email=comment.guest_email.lower())
    subscription, _ = Subscription.objects.get_or_create(thread_id=comment.thread_id, comment=comment, guest=address)
    if not address.is_confirmed:
        _ask_to_confirm(address)
    return subscription


def _ask_to_confirm(address: GuestAddress) -> None:
    now = timezone.now()
    recently = address.confirmation_sent_at and now - address.confirmation_sent_at < CONFIRMATION_RESEND_AFTER
    if recently:
        return
    GuestAddress.objects.filter(pk=address.pk).update(confirmation_sent_at=now)
    transaction.on_commit(partial(send_guest_confirmation.enqueue, address_id=address.pk))


def check_subscribe_thread(*, page, user) -> Subscription:
    if user is None or not user.is_authenticated:
        raise DiscussionError(_("Sign in to follow a discussion."), status=403)
    if not user.email:
        raise DiscussionError(_("Your account has no e-mail address to send notifications to."))
    return do_subscribe_thread(thread=thread_for(page), user=user)


def do_subscribe_thread(*, thread: Thread, user) -> Subscription:
    subscription, _ = Subscription.objects.get_or_create(thread=thread, comment=None, user=user)
    return subscription


def do_confirm_guest_address(*, token: str) -> GuestAddress | None:
    """The guest followed the confirmation link: their subscriptions start sending. None for an unknown token."""
    address = GuestAddress.objects.filter(token=token).first()
    if address is not None and not address.is_confirmed:
        address.confirmed_at = timezone.now()
        address.save(update_fields=["confirmed_at"])
    return address


def do_unsubscribe(*, token: str) -> bool:
    """Drop the subscription the token names; True when there was one."""
    deleted, _ = Subscription.objects.filter(token=token).delete()
    return bool(deleted)
