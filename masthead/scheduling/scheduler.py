"""Enqueue each periodic task once per interval, claimed in the database so that several schedulers agree."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from masthead.scheduling.models import PeriodicTaskRun

logger = logging.getLogger(__name__)


def minute_slot(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def periodic_tasks() -> list[tuple[Task, timedelta]]:
    """The tasks named in MASTHEAD_PERIODIC_TASKS (dotted path: minutes between runs)."""
    tasks = []
    for path, minutes in settings.MASTHEAD_PERIODIC_TASKS.items():
        task = import_string(path)
        if not isinstance(task, Task):
            raise ImproperlyConfigured(f"MASTHEAD_PERIODIC_TASKS: {path} is not a task (use @task())")
        if not isinstance(minutes, int) or minutes < 1:
            raise ImproperlyConfigured(f"MASTHEAD_PERIODIC_TASKS: {path} needs whole minutes, 1 or more")
        tasks.append((task, timedelta(minutes=minutes)))
    return tasks


def claim(task_path: str, *, slot: datetime, every: timedelta) -> bool:
    """Move the task's last slot to `slot` if it is due; True for the one caller whose update did it."""
    PeriodicTaskRun.objects.get_or_create(task_path=task_path)
    due = Q(last_slot__isnull=True) | Q(last_slot__lte=slot - every)
    return PeriodicTaskRun.objects.filter(due, task_path=task_path).update(last_slot=slot) == 1


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic task that is due at `now`; returns the paths of those this call enqueued."""
    slot = minute_slot(now or timezone.now())
    enqueued = []
    for task, every in periodic_tasks():
        # One transaction: if the backend refuses the task, the claim is undone and the next minute retries.
        with transaction.atomic():
            if not claim(task.module_path, slot=slot, every=every):
                continue
            result = task.enqueue()
        logger.info("Enqueued %s for %s (result %s)", task.module_path, slot.isoformat(), result.id)
        enqueued.append(task.module_path)
    return enqueued
