"""Reader-facing times, the one helper every template and e-mail uses: relative ("3 years ago", "il y a 3 ans",
"قبل 3 سنوات") and absolute dates in the active language, written by Babel from CLDR (Arabic dual and plural
forms, each locale's digits and month names); today's date, asked on every signed-in request."""

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_timedelta
from django.utils import timezone, translation
from django.utils.translation import gettext


def babel_locale(language: str | None = None) -> Locale:
    """The Babel locale of a Django language code (the active language when none is given)."""
    code = translation.to_locale(language or translation.get_language() or "en")
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


# Babel's units, largest first (a year of 365 days, a month of 30), as format_timedelta counts them.
_UNITS = [
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
]


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """The distance from `value` to now in its largest whole unit, in the active language: "12 years ago" for
    twelve years and nine months, as people say it (Babel alone would round up to 13)."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 1:
        # A scheduled or clock-skewed date reads as "now" rather than as an invented future phrase.
        return gettext("now")
    unit, length = next((unit, length) for unit, length in _UNITS if seconds >= length)
    count = int(seconds // length)
    # The phrase for a unit and count in a language is worked out once per process: formatting it for each of a
    # 200-comment thread's times cost more than the rest of them (bench/results/edge.md's profile).
    key = (translation.get_language(), unit, count)
    phrase = _phrases.get(key)
    if phrase is None:
        whole = timedelta(seconds=-count * length)
        phrase = format_timedelta(whole, granularity=unit, threshold=1, add_direction=True, locale=babel_locale())
        if len(_phrases) < 10_000:
            _phrases[key] = phrase
    return phrase


_phrases: dict[tuple[str | None, str, int], str] = {}


def _as_local(value: date | datetime) -> date | datetime:
    return timezone.localtime(value) if isinstance(value, datetime) and timezone.is_aware(value) else value


def local_date(value: date | datetime | None) -> str:
    """A day written out in the active language ("March 2, 2014", "2 mars 2014", "2 مارس 2014")."""
    if value is None:
        return ""
    value = _as_local(value)
    return format_date(value.date() if isinstance(value, datetime) else value, "long", locale=babel_locale())


def local_datetime(value: datetime | None) -> str:
    """A moment with its time of day, in the active language and the site's time zone."""
    if value is None:
        return ""
    return format_datetime(_as_local(value), "medium", locale=babel_locale())


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
