"""One row per periodic task: the minute it was last enqueued for, claimed atomically by one scheduler."""

from django.db import models


class PeriodicTaskRun(models.Model):
    """Which minute a periodic task was last enqueued for.

    Several schedulers (one per machine) may run at once; the one whose conditional UPDATE moves `last_slot`
    forward enqueues the task, the others see the row already moved and skip it. The database decides, so
    this holds whatever the cache and the task backend are.
    """

    task_path = models.CharField(max_length=255, unique=True)
    last_slot = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "periodic task run"

    def __str__(self):
        return f"{self.task_path} (last enqueued for {self.last_slot})"
