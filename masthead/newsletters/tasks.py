"""Background work for newsletters: carrying out a send, and resuming sends that paused or were interrupted."""

from django.db.models import Q
from django_tasks import task

from masthead.newsletters.models import Delivery, DeliveryStatus, Send, SendStatus
from masthead.newsletters.sending import run_send


@task()
def send_newsletter(send_id: int) -> dict:
    """Send what is due of one send. Idempotent: a second run finds every delivered row marked sent."""
    send = Send.objects.select_related("newsletter", "article").filter(pk=send_id).first()
    if send is None or send.status in (SendStatus.DONE, SendStatus.PAUSED):
        return {}
    return vars(run_send(send))


@task()
def resume_unfinished_sends() -> int:
    """Enqueue every send with messages waiting (after a pause, a crash, or a backoff); returns how many.

    Enqueued by the scheduler every few minutes (MASTHEAD_PERIODIC_TASKS).
    """
    unfinished = Send.objects.exclude(status__in=[SendStatus.DONE, SendStatus.PAUSED]).filter(
        Q(recipients_listed_at__isnull=True)
        | Q(pk__in=Delivery.objects.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]).values("send"))
    )
    count = 0
    for send_id in unfinished.values_list("pk", flat=True):
        send_newsletter.enqueue(send_id=send_id)
        count += 1
    return count
