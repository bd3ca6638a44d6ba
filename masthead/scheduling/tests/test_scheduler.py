"""The scheduler enqueues each periodic task once a minute, on the embedded default database backend."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.exceptions import InvalidTaskError
from django_tasks_db.models import DBTaskResult

from masthead.articles.factories import make_article
from masthead.articles.tests.test_tasks import let_time_pass, schedule
from masthead.scheduling.scheduler import claim, enqueue_due, minute_slot

pytestmark = pytest.mark.django_db

PUBLISH = "masthead.articles.tasks.publish_due_pages"


@pytest.fixture(autouse=True)
def _publishing_only(settings):
    # The scheduler's workings, shown with one periodic task (the site has others: settings.py).
    settings.MASTHEAD_PERIODIC_TASKS = {PUBLISH: 1}


@pytest.fixture
def database_tasks(settings):
    # As `make run` has it: the database backend, with a worker in another process.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_one_scheduler_iteration_enqueues_publishing_on_the_database_backend(database_tasks, capsys):
    call_command("run_scheduler", "--once")

    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [PUBLISH]
    assert f"enqueued {PUBLISH}" in capsys.readouterr().out


def test_a_task_is_enqueued_once_a_minute_however_many_schedulers_run(database_tasks):
    now = timezone.now()
    assert enqueue_due(now) == [PUBLISH]
    # A second scheduler (another machine) in the same minute finds the minute claimed.
    assert enqueue_due(now) == []
    assert enqueue_due(now + timedelta(minutes=1)) == [PUBLISH]
    assert DBTaskResult.objects.filter(task_path=PUBLISH).count() == 2


def test_a_claim_is_won_once_per_interval():
    slot = minute_slot(timezone.now())
    every = timedelta(minutes=5)
    assert claim("some.task", slot=slot, every=every)
    assert not claim("some.task", slot=slot, every=every)
    assert not claim("some.task", slot=slot + timedelta(minutes=4), every=every)
    assert claim("some.task", slot=slot + timedelta(minutes=5), every=every)


def test_a_refused_enqueue_leaves_the_minute_unclaimed(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["elsewhere"]}}
    now = timezone.now()
    with pytest.raises(InvalidTaskError, match="Queue"):
        enqueue_due(now)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert enqueue_due(now) == [PUBLISH]


# The worker checks its database connection as Django does per request, which closes one held in a test's
# transaction: this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_the_worker_publishes_a_scheduled_article_the_scheduler_enqueued(database_tasks, client, section):
    article = make_article(section=section, title="Published by the worker", publish=False)
    let_time_pass(schedule(article))

    call_command("run_scheduler", "--once")
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")

    article.refresh_from_db()
    assert article.live
    assert "Published by the worker" in client.get("/feeds/rss/").content.decode()
    assert DBTaskResult.objects.get(task_path=PUBLISH).status == "SUCCESSFUL"
