"""The subscriber CSV reader (subscriber_csv.py): each provider's columns, consent states, dates, and refusals."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from masthead.newsletters import subscriber_csv
from masthead.newsletters.subscriber_csv import CsvRefused, parse

EXPORTS = Path(__file__).parent / "exports"


def read(name: str, **kwargs):
    return parse((EXPORTS / name).read_bytes(), **kwargs)


def states(parsed) -> dict[str, str]:
    return {row.email: row.state for row in parsed.valid_rows}


def test_mailchimp_subscribed_file_keeps_confirm_time_and_name():
    parsed = read("mailchimp_subscribed.csv")
    assert parsed.format == "mailchimp"
    wren, ada = parsed.rows
    assert (wren.email, wren.state, wren.name) == ("wren@example.org", "subscribed", "Wren Okafor")
    assert wren.signed_up_at == datetime(2021, 4, 2, 9, 20, 11, tzinfo=UTC)  # CONFIRM_TIME before OPTIN_TIME
    assert ada.signed_up_at == datetime(2022, 11, 30, 18, tzinfo=UTC)  # no CONFIRM_TIME: OPTIN_TIME
    assert ada.name == "Ada Quay, Jr."


def test_mailchimp_unsubscribed_and_cleaned_files_come_in_suppressed():
    unsubscribed = read("mailchimp_unsubscribed.csv")
    assert states(unsubscribed) == {"left@example.org": "unsubscribed", "angry@example.org": "complained"}
    assert unsubscribed.rows[0].changed_at == datetime(2023, 6, 1, 12, tzinfo=UTC)
    assert states(read("mailchimp_cleaned.csv")) == {"gone@example.org": "bounced"}


def test_substack_active_and_email_disabled():
    parsed = read("substack.csv")
    assert parsed.format == "substack"
    assert states(parsed) == {
        "harbour@example.net": "subscribed",
        "quiet@example.net": "unsubscribed",
        "muted@example.net": "unsubscribed",
    }
    assert parsed.rows[0].signed_up_at == datetime(2022, 3, 14, 8, 30, tzinfo=UTC)


def test_ghost_members_with_invalid_lines_reported_and_the_rest_read():
    parsed = read("ghost.csv")
    assert parsed.format == "ghost"
    assert states(parsed) == {"reader@example.com": "subscribed", "optout@example.com": "unsubscribed"}
    errors = {row.line: row.error for row in parsed.invalid_rows}
    assert errors[4] == "'not-an-address' is not an e-mail address."
    assert errors[5] == "reader@example.com is already on line 2; this line is left out."
    assert "'last tuesday' is not a date" in errors[6]
    assert parsed.rows[0].name == "Rae Lind"


def test_jetpack_statuses():
    parsed = read("jetpack.csv")
    assert parsed.format == "jetpack"
    assert states(parsed) == {
        "sea@example.com": "subscribed",
        "reader-only@example.com": "unsubscribed",
        "blocked@example.com": "bounced",
    }
    (pending,) = parsed.invalid_rows
    assert pending.email == "pending@example.com" and "never confirmed" in pending.error


def test_a_bare_list_of_addresses_reads_as_jetpack_and_semicolons_work():
    parsed = parse(b"Email\none@example.com\n\ntwo@example.com\n")
    assert parsed.format == "jetpack" and states(parsed) == {
        "one@example.com": "subscribed",
        "two@example.com": "subscribed",
    }
    semicolons = parse(b"email;subscribed_to_emails;created_at\nsemi@example.com;false;2024-01-01\n")
    assert semicolons.format == "ghost" and states(semicolons) == {"semi@example.com": "unsubscribed"}


def test_format_named_by_hand_reads_a_file_not_recognised():
    data = b"email,joined\nhand@example.com,2024-01-01\n"
    with pytest.raises(CsvRefused, match="not those of a Jetpack, Substack, Ghost or Mailchimp export"):
        parse(data)
    assert states(parse(data, format="ghost")) == {"hand@example.com": "subscribed"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,city\nAda,Leeds\n", "no e-mail column (its columns: name, city)"),
        ("email\nzoë@example.com\n".encode("latin-1"), "not UTF-8 text (line 2"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
        (b"   \n", "The file is empty"),
    ],
)
def test_broken_files_are_refused_whole(data, message):
    with pytest.raises(CsvRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(data)


def test_unknown_format_is_refused():
    with pytest.raises(CsvRefused, match="Unknown format"):
        parse(b"email\na@example.com\n", format="beehiiv")


def test_utf8_with_byte_order_mark_and_a_naive_date_is_utc():
    parsed = parse("\ufeffemail_address,display_name,date_subscribed\nzoe@example.com,Zoë,2024-02-03\n".encode())
    (row,) = parsed.rows
    assert (row.email, row.name) == ("zoe@example.com", "Zoë") and row.signed_up_at == datetime(2024, 2, 3, tzinfo=UTC)
    assert subscriber_csv.parse_date("2024-02-03T10:00:00+02:00").utcoffset().total_seconds() == 7200
