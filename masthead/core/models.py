"""core's one table: rate-limit counters, when the site runs without Redis (see core/ratelimit.py)."""

from django.db import models


class RateCounter(models.Model):
    """Attempts counted for one hashed identifier in one bucket, in the window that ends at `window_ends_at`.

    One row per (bucket, identifier), reused from window to window, so the table holds as many rows as there are
    people and addresses seen lately; `forget_past_windows` clears the rest."""

    key = models.CharField(max_length=120, unique=True)
    window_ends_at = models.BigIntegerField(help_text="Unix time at which the counted window ends.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["window_ends_at"], name="core_ratecounter_ends")]

    def __str__(self):
        return f"{self.key}: {self.count} until {self.window_ends_at}"
