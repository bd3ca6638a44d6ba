"""Reader-facing times: "3 years ago" in the reader's language, using Django's own translations; today's date,
asked on every signed-in request."""

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day

from django.contrib.humanize.templatetags.humanize import NaturalTimeFormatter
from django.utils import timezone, translation
from django.utils.html import avoid_wrapping
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
    # Django's timesince picks the largest unit and its count (calendar-aware); the phrase for that unit and count
    # in this language is worked out once. Translating it each time cost more than the rest of a 200-comment
    # thread's times (ngettext walks every catalog: bench/results/edge.md's profile).
    unit, _, count = timesince(value, now, time_strings=_UNIT_MARKERS, depth=1).partition(":")
    key = (translation.get_language(), unit, count)
    phrase = _phrases.get(key)
    if phrase is None:
        delta = avoid_wrapping(NaturalTimeFormatter.past_substrings[unit] % {"num": int(count)})
        phrase = _phrases[key] = str(strings["past-day"] % {"delta": delta})
    return phrase


# What timesince writes for the unit it picks, to be read back above (no spaces: it would wrap them).
_UNIT_MARKERS = {unit: f"{unit}:%(num)d" for unit in ("year", "month", "week", "day", "hour", "minute")}
_phrases: dict[tuple[str | None, str, str], str] = {}


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
