"""Background work for newsletters: carrying out a send, and resuming sends that paused or were interrupted."""

from django.conf import settings
from django.db.models import Q
from django_tasks import task

from masthead.newsletters.models import Delivery, DeliveryStatus, Send, SendStatus
from masthead.newsletters.sending import list_recipients, run_send


@task()
def send_newsletter(send_id: int, share: bool = False) -> dict:
    """Send what is due of one send. Idempotent: a second run finds every delivered row marked sent.

    The first run lists the recipients and enqueues MASTHEAD_NEWSLETTER_TASKS - 1 more runs (`share`), so that
    as many workers send the same send side by side, each claiming its own batches.
    """
    send = Send.objects.select_related("newsletter", "article").filter(pk=send_id).first()
    if send is None or send.status in (SendStatus.DONE, SendStatus.PAUSED):
        return {}
    if not share and list_recipients(send):
        for _ in range(settings.MASTHEAD_NEWSLETTER_TASKS - 1):
            send_newsletter.enqueue(send_id=send_id, share=True)
    report = run_send(send)
    if report.retry_at is not None and send_newsletter.get_backend().supports_defer:
        # The mail server failed: try again once the backoff has passed (or the periodic resume does it).
        send_newsletter.using(run_after=report.retry_at).enqueue(send_id=send_id)
    return report.as_dict()


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
