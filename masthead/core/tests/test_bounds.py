"""Values from outside within what the database and the calendar hold (core/bounds.py, core/time.py)."""

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from masthead.core.bounds import (
    MAX_DATABASE_INTEGER,
    DatabaseIdConverter,
    InvalidJSON,
    YearConverter,
    only_the_path_is_wrong,
    parse_json,
)
from masthead.core.time import moment_from_timestamp


@pytest.mark.parametrize("text", ["0", "7", str(MAX_DATABASE_INTEGER)])
def test_ids_that_fit_the_database_are_read(text):
    assert DatabaseIdConverter().to_python(text) == int(text)


def test_an_id_beyond_the_database_does_not_match():
    with pytest.raises(ValueError):
        DatabaseIdConverter().to_python(str(MAX_DATABASE_INTEGER + 1))
    # Not the thread's pattern; Wagtail's page tree (the catch-all) then answers 404.
    assert resolve(f"/discussion/{MAX_DATABASE_INTEGER + 1}/").view_name != "discussion:thread"
    assert resolve(f"/discussion/{2**64 + 1}/").view_name != "discussion:thread"
    assert resolve(f"/discussion/{MAX_DATABASE_INTEGER}/").kwargs == {"page_id": MAX_DATABASE_INTEGER}


@pytest.mark.parametrize("address", ["/archive/0/", "/archive/10000/", "/archive/-1/", "/archive/٢٠٢٤/"])
def test_years_outside_the_calendar_do_not_match(address):
    assert not resolve(address).view_name.startswith("articles:archive")


def test_years_in_the_calendar_match_and_reverse():
    assert resolve("/archive/9999/12/").kwargs == {"year": 9999, "month": 12}
    assert reverse("articles:archive_year", kwargs={"year": 1}) == "/archive/1/"
    assert YearConverter().to_url(2024) == "2024"
    with pytest.raises(NoReverseMatch):
        reverse("articles:archive_year", kwargs={"year": 12345})


@pytest.mark.parametrize(
    "text, reason",
    [
        ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
        ('{"a": ' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
        ("{not json", "Expecting property name"),
        (b"\xff\xfe\xfa", "not UTF-8"),
    ],
)
def test_unreadable_json_is_one_kind_of_error(text, reason):
    with pytest.raises(InvalidJSON, match=reason):
        parse_json(text)


def test_readable_json_is_read():
    assert parse_json('{"a": [1, 2]}') == {"a": [1, 2]}


def test_only_problems_in_the_path_make_a_not_found():
    assert only_the_path_is_wrong([{"loc": ("path", "article_id"), "msg": "too big"}])
    assert not only_the_path_is_wrong([{"loc": ("query", "offset"), "msg": "too big"}])
    assert not only_the_path_is_wrong(
        [{"loc": ("path", "article_id"), "msg": "x"}, {"loc": ("body", "payload"), "msg": "y"}]
    )
    assert not only_the_path_is_wrong([])


@pytest.mark.parametrize("value", [10**20, -(10**20), 253402300800, float("inf"), float("nan"), "soon"])
def test_a_timestamp_beyond_the_calendar_is_a_value_error(value):
    with pytest.raises(ValueError):
        moment_from_timestamp(value)


def test_a_timestamp_is_read_as_utc():
    assert moment_from_timestamp("86400").isoformat() == "1970-01-02T00:00:00+00:00"
