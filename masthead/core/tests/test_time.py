from datetime import datetime, timedelta, timezone

import pytest
from django.utils import translation

from masthead.core.time import relative_time

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(days=365 * 12 + 40), "12 years ago"),
        (timedelta(days=400), "1 year ago"),
        (timedelta(days=70), "2 months ago"),
        (timedelta(days=3), "3 days ago"),
        (timedelta(hours=5), "5 hours ago"),
        (timedelta(seconds=20), "20 seconds ago"),
    ],
)
def test_relative_time_in_english_names_the_largest_unit(age, expected):
    with translation.override("en"):
        assert plain(relative_time(NOW - age, NOW)) == expected


def test_relative_time_is_localised():
    twelve_years = NOW - timedelta(days=365 * 12 + 40)
    with translation.override("fr"):
        assert plain(relative_time(twelve_years, NOW)) == "il y a 12 ans"
        assert plain(relative_time(NOW - timedelta(days=400), NOW)) == "il y a 1 an"


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        # Arabic has six plural forms: one, two (the dual), few (3-10), many (11-99), other.
        (timedelta(days=400), "قبل سنة واحدة"),
        (timedelta(days=365 * 2 + 10), "قبل سنتين"),
        (timedelta(days=365 * 3 + 10), "قبل 3 سنوات"),
        (timedelta(days=365 * 12 + 40), "قبل 12 سنة"),
        (timedelta(days=2), "قبل يومين"),
        (timedelta(hours=5), "قبل 5 ساعات"),
    ],
)
def test_relative_time_in_arabic_uses_its_plural_forms(age, expected):
    with translation.override("ar"):
        assert plain(relative_time(NOW - age, NOW)) == expected


def test_dates_are_written_as_each_language_writes_them():
    from masthead.core.time import local_date

    day = datetime(2014, 3, 2, 9, 0, tzinfo=timezone.utc)
    for language, expected in [("en", "March 2, 2014"), ("fr", "2 mars 2014"), ("ar", "2 مارس 2014")]:
        with translation.override(language):
            assert plain(local_date(day)) == expected


def test_a_future_date_does_not_read_as_the_past():
    with translation.override("en"):
        assert relative_time(NOW + timedelta(days=2), NOW) == "now"


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_today_is_the_date_in_the_sites_time_zone_even_when_a_request_activated_another(settings, zone):
    from zoneinfo import ZoneInfo

    from django.utils import timezone as django_timezone

    from masthead.core.time import local_today

    local_today()  # a date kept for the zone before the setting changed must not be reused
    settings.TIME_ZONE = zone
    expected = datetime.now(ZoneInfo(zone)).date()
    elsewhere = "Pacific/Pago_Pago" if zone != "Pacific/Pago_Pago" else "Pacific/Kiritimati"
    with django_timezone.override(elsewhere):
        assert local_today() == expected
    assert local_today() == django_timezone.localdate()


def test_the_remembered_phrases_are_the_ones_babel_writes():
    """relative_time keeps each unit-and-count phrase per language; kept, it must read as freshly written."""
    from django.utils import translation

    from masthead.core import time as core_time

    now = datetime(2026, 3, 31, 12, 0, tzinfo=timezone.utc)
    ages = [timedelta(seconds=61), timedelta(minutes=59), timedelta(hours=1), timedelta(hours=23, minutes=59),
            timedelta(days=1), timedelta(days=13), timedelta(days=31), timedelta(days=400), timedelta(days=3000)]
    for language in ("en", "fr", "ar"):
        with translation.override(language):
            fresh = []
            for age in ages:
                core_time._phrases.clear()
                fresh.append(relative_time(now - age, now))
            kept = [relative_time(now - age, now) for age in ages] + [relative_time(now - age, now) for age in ages]
            assert kept == fresh * 2, language
            assert len(set(fresh)) == len(ages), fresh
