"""Reader-facing times: "3 years ago" in the reader's language, using Django's own translations; today's date,
asked on every signed-in request."""

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day

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


def moment_from_timestamp(value) -> datetime:
    """A Unix timestamp sent from outside (a payment provider's event) as an aware UTC datetime. ValueError
    when it is not a whole number of seconds within the years datetime holds (1 to 9999), never an overflow."""
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (OverflowError, OSError) as error:
        raise ValueError(f"{value!r} is not a moment in the years 1 to 9999") from error


# Today's date in the site's time zone, and the moment (seconds since the epoch) the next day starts there.
_today: tuple[object, date, float] | None = None


def local_today() -> date:
    """Today's date in the site's time zone (settings.TIME_ZONE), whatever zone a request has activated: the
    day on which complimentary access "until" a date ends. Worked out again only when that day ends, since a
    signed-in reader's tiers are kept by the day and this is asked on each of their requests."""
    global _today
    zone = timezone.get_default_timezone()
    now = time.time()
    known = _today
    if known is not None and known[0] is zone and now < known[2]:
        return known[1]
    today = datetime.fromtimestamp(now, zone).date()
    next_day = datetime.combine(today + timedelta(days=1), time_of_day(), tzinfo=zone).timestamp()
    _today = (zone, today, next_day)
    return today
