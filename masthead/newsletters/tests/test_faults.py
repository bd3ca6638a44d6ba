"""Fault tests on the real worker process (`manage.py db_worker`) and a real SMTP server (aiosmtpd on 127.0.0.1).

The worker runs in a subprocess against the test's database: PostgreSQL's test database as it is, or, on SQLite
(whose test database lives in this process's memory), a file copied in before each start and back when asserting.
Every recipient must receive the article; copies beyond one only for messages in flight when the worker was killed
or the server vanished (at most one per open connection), and the send counts them (`Send.possible_duplicates`).
"""

import pytest
from django.utils import timezone

from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import Delivery, DeliveryStatus, Send, SendStatus
from masthead.newsletters.tasks import resume_unfinished_sends
from masthead.newsletters.tests.faults import REFUSED, CountingSink, SharedDatabase, Worker, free_port, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

RECIPIENTS = 60
CONNECTIONS = 2
# Slow enough to be caught mid-send (60 messages in about 2.5 s), a claim stale after 3 s, backoffs of 1-2 s.
WORKER_SETTINGS = {
    "MASTHEAD_NEWSLETTER_RATE": "25",
    "MASTHEAD_NEWSLETTER_CONNECTIONS": str(CONNECTIONS),
    "MASTHEAD_NEWSLETTER_BATCH_SIZE": "5",
    "MASTHEAD_NEWSLETTER_CLAIM_MINUTES": "0.05",
    "MASTHEAD_NEWSLETTER_BACKOFF_SECONDS": "1",
    "MASTHEAD_NEWSLETTER_BACKOFF_MAX_SECONDS": "2",
}


@pytest.fixture
def sink():
    sink = CountingSink(free_port())
    yield sink
    sink.stop()


@pytest.fixture
def shared(tmp_path):
    return SharedDatabase(tmp_path)


@pytest.fixture
def worker(shared, sink, tmp_path):
    workers = []

    def start() -> Worker:
        shared.push()
        started = Worker(shared.environment(), sink.port, WORKER_SETTINGS, tmp_path)
        workers.append(started)
        started.wait_started()
        return started

    yield start
    for started in workers:
        started.stop()


@pytest.fixture
def addresses(settings, publish):
    """A send of one article to RECIPIENTS subscribers and one refused address, enqueued on the database backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    letter = NewsletterFactory()
    addresses = [f"reader{n:02}@example.org" for n in range(RECIPIENTS)]
    for email in [*addresses[:10], REFUSED, *addresses[10:]]:
        NewsletterSubscriptionFactory(newsletter=letter, member__user__email=email)
    publish()  # the send is enqueued for the worker, not run here
    assert Send.objects.get().status == SendStatus.QUEUED
    return addresses


def send_status(shared) -> str:
    shared.pull()
    return Send.objects.get().status


def assert_everyone_received_it(sink, shared, addresses):
    shared.pull()
    send = Send.objects.get()
    assert send.status == SendStatus.DONE
    assert set(sink.counts) == set(addresses)  # everyone, and the refused address never
    extra = sum(count - 1 for count in sink.counts.values())
    # Copies beyond one only for messages in flight at the fault, and the send counts at least as many.
    assert extra <= send.possible_duplicates <= CONNECTIONS
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == RECIPIENTS
    refused = Delivery.objects.get(member__user__email=REFUSED)
    assert refused.status == DeliveryStatus.FAILED and "No such mailbox here" in refused.last_error
    return send


def test_a_worker_killed_mid_send_is_restarted_and_everyone_gets_the_article(sink, shared, worker, addresses):
    sink.start()
    first = worker()
    wait_for(lambda: sink.total() >= 20, seconds=30, what="the first 20 messages")
    first.kill()  # SIGKILL: no cleanup, its claimed batches stay claimed
    received_at_kill = sink.total()
    assert received_at_kill < RECIPIENTS

    shared.pull()
    assert Delivery.objects.filter(status=DeliveryStatus.SENDING).exists()  # what the dead worker held
    # What the scheduler does every few minutes, once the dead worker's claims have gone stale.
    wait_for(
        lambda: timezone.now() - Delivery.objects.filter(status="sending").latest("claimed_at").claimed_at
        > timezone.timedelta(seconds=3.5),
        seconds=10,
        what="the claims to go stale",
    )
    resume_unfinished_sends.enqueue()
    worker()
    wait_for(lambda: send_status(shared) == SendStatus.DONE, seconds=30, what="the send to finish")
    send = assert_everyone_received_it(sink, shared, addresses)
    assert send.possible_duplicates >= 1  # the dead worker held at least one claim
    assert sink.total() > received_at_kill


def test_a_server_that_vanishes_mid_send_pauses_it_and_it_resumes_when_the_server_is_back(
    sink, shared, worker, addresses
):
    sink.start()
    worker()
    wait_for(lambda: sink.total() >= 20, seconds=30, what="the first 20 messages")
    sink.stop()

    wait_for(lambda: send_status(shared) == SendStatus.RETRYING, seconds=20, what="the send to pause")
    paused = Send.objects.get()
    assert paused.last_error and paused.retry_at and paused.server_failures >= 1
    assert sink.total() < RECIPIENTS + CONNECTIONS

    sink.start()  # the worker tries again by itself after its backoff (1, then 2 seconds)
    wait_for(lambda: send_status(shared) == SendStatus.DONE, seconds=30, what="the send to resume and finish")
    send = assert_everyone_received_it(sink, shared, addresses)
    assert send.server_failures == 0 and send.retry_at is None
