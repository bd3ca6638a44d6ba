"""Reader-facing times: "3 years ago" in the reader's language, using Django's own translations; and datetimes
read by raw SQL."""

from datetime import UTC, datetime

from django.contrib.humanize.templatetags.humanize import NaturalTimeFormatter
from django.utils import timezone
from django.utils.timesince import timesince


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """The distance from `value` to now in its largest unit ("3 years ago", "il y a 3 ans", "منذ 3 سنوات")."""
    now = now or timezone.now()
    strings = NaturalTimeFormatter.time_strings
    seconds = int((now - value).total_seconds())
    if seconds <= 0:
        # A scheduled or clock-skewed date reads as "now" rather than as an invented future phrase.
        return str(strings["now"])
    if seconds < 60:
        return strings["past-second"] % {"count": seconds}
    delta = timesince(value, now, time_strings=NaturalTimeFormatter.past_substrings, depth=1)
    return strings["past-day"] % {"delta": delta}


def from_raw_sql(value: datetime | str | None) -> datetime | None:
    """A datetime column read by raw SQL, as the ORM would give it: SQLite hands back the stored UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value
