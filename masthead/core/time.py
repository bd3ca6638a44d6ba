"""Reader-facing times: "3 years ago" in the reader's language, using Django's own translations."""

from datetime import datetime

from django.contrib.humanize.templatetags.humanize import NaturalTimeFormatter
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """The distance from `value` to now in its largest unit ("3 years ago", "il y a 3 ans", "منذ 3 سنوات")."""
    now = now or timezone.now()
    if value > now:
        # A scheduled or clock-skewed date: say it plainly rather than inventing a future phrase.
        return gettext("now")
    if (now - value).days == 0:
        return NaturalTimeFormatter.string_for(value)
    delta = timesince(value, now, time_strings=NaturalTimeFormatter.past_substrings, depth=1)
    return NaturalTimeFormatter.time_strings["past-day"] % {"delta": delta}
