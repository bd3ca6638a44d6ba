"""Reading a subscriber export (Jetpack/WordPress.com, Substack, Ghost, Mailchimp) into rows of address, consent
state and sign-up date. Pure: bytes in, rows out, nothing stored; the import itself is in import_actions.py.

Each provider names its columns its own way, and says "this address left" its own way:
- Mailchimp exports an audience as separate files; the unsubscribed file has UNSUB_TIME (and UNSUB_REASON, where
  "abuse" is a spam complaint), the cleaned file (hard bounces) CLEAN_TIME. Times are UTC, "YYYY-MM-DD HH:MM:SS".
- Substack: email, active_subscription, email_disabled, created_at (ISO 8601).
- Ghost's members CSV: email, name, subscribed_to_emails, complimentary_plan, stripe_customer_id, created_at,
  deleted_at, labels.
- Jetpack/WordPress.com: email_address (or email), date_subscribed, and the dashboard's e-mail status
  ("Subscribed", "Not subscribed", "Not sending" for blocked or bounced, "Not confirmed").
A file whose rows carry a status column with a plain word (subscribed, unsubscribed, bounced, cleaned,
complained, spam) is read the same way in every format.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

FORMATS = ("jetpack", "substack", "ghost", "mailchimp")
FORMAT_NAMES = {
    "jetpack": "Jetpack / WordPress.com",
    "substack": "Substack",
    "ghost": "Ghost",
    "mailchimp": "Mailchimp",
}

SUBSCRIBED = "subscribed"
UNSUBSCRIBED = "unsubscribed"
BOUNCED = "bounced"
COMPLAINED = "complained"

# Column names that hold the address, in the order they are looked for (compared without case or spaces).
EMAIL_COLUMNS = ("email address", "email_address", "email", "e-mail", "emailaddress")
DATE_COLUMNS = {
    "mailchimp": ("confirm_time", "optin_time"),
    "substack": ("created_at",),
    "ghost": ("created_at",),
    "jetpack": ("date_subscribed", "since", "created_at"),
}
NAME_COLUMNS = ("name", "display_name", "first name", "first_name")
STATUS_COLUMNS = ("status", "email_subscription", "email subscription", "subscription_status")
STATUS_WORDS = {
    "subscribed": SUBSCRIBED,
    "active": SUBSCRIBED,
    "unsubscribed": UNSUBSCRIBED,
    "not subscribed": UNSUBSCRIBED,
    "inactive": UNSUBSCRIBED,
    "bounced": BOUNCED,
    "cleaned": BOUNCED,
    "not sending": BOUNCED,
    "complained": COMPLAINED,
    "spam": COMPLAINED,
}
NOT_CONFIRMED = ("not confirmed", "pending", "unconfirmed")
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")
MAX_EMAIL_LENGTH = 254


class CsvRefused(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""


@dataclass
class SubscriberRow:
    line: int
    email: str = ""
    state: str = SUBSCRIBED
    signed_up_at: datetime | None = None
    changed_at: datetime | None = None
    name: str = ""
    error: str = ""


@dataclass
class SubscriberFile:
    format: str
    rows: list[SubscriberRow] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[SubscriberRow]:
        return [row for row in self.rows if not row.error]

    @property
    def invalid_rows(self) -> list[SubscriberRow]:
        return [row for row in self.rows if row.error]


def _key(name: str) -> str:
    return " ".join(name.strip().lower().split())


def decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise CsvRefused("This is not a CSV file (it holds binary data). Export the subscribers as CSV and try again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvRefused(
            f"The file is not UTF-8 text (line {line} has a byte UTF-8 does not allow). Save it as CSV UTF-8 "
            "and try again."
        ) from None


def detect_format(columns: set[str]) -> str | None:
    if "email address" in columns and columns & {"optin_time", "confirm_time", "member_rating", "leid", "euid"}:
        return "mailchimp"
    if "email" in columns and columns & {"subscribed_to_emails", "complimentary_plan"}:
        return "ghost"
    if "email" in columns and columns & {"active_subscription", "email_disabled"}:
        return "substack"
    if columns & {"email_address", "date_subscribed"} or columns <= {"email", "email address", "e-mail"}:
        return "jetpack"
    return None


def parse(data: bytes, *, format: str = "auto") -> SubscriberFile:
    """Every data row of the file, each valid or with a message saying why it cannot be imported."""
    if format != "auto" and format not in FORMATS:
        raise CsvRefused(f"Unknown format {format!r}: choose auto, {', '.join(FORMATS)}.")
    text = decode(data)
    if not text.strip():
        raise CsvRefused("The file is empty.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
        columns = {_key(name): position for position, name in enumerate(header)}
        email_key = next((name for name in EMAIL_COLUMNS if name in columns), None)
        if email_key is None:
            shown = ", ".join(name for name in header[:8] if name.strip()) or "none"
            raise CsvRefused(f"The file has no e-mail column (its columns: {shown}). Nothing was imported.")
        chosen = format if format != "auto" else detect_format(set(columns))
        if chosen is None:
            raise CsvRefused(
                "The columns are not those of a Jetpack, Substack, Ghost or Mailchimp export; choose the format "
                "by hand if the file comes from one of them. Nothing was imported."
            )
        result = SubscriberFile(format=chosen)
        seen: dict[str, int] = {}
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            record = {name: values[position].strip() for name, position in columns.items() if position < len(values)}
            row = _read_row(chosen, record, line=reader.line_num, email=record.get(email_key))
            if not row.error:
                first = seen.setdefault(row.email.lower(), row.line)
                if first != row.line:
                    row.error = f"{row.email} is already on line {first}; this line is left out."
            result.rows.append(row)
    except csv.Error as error:
        raise CsvRefused(
            f"The file is not valid CSV (line {reader.line_num}: {error}). Nothing was imported."
        ) from None
    return result


def _read_row(format: str, record: dict[str, str], *, line: int, email: str | None) -> SubscriberRow:
    row = SubscriberRow(line=line, email=(email or "").strip())
    if not row.email:
        row.error = "No e-mail address on this line."
        return row
    try:
        if len(row.email) > MAX_EMAIL_LENGTH:
            raise ValidationError("too long")
        validate_email(row.email)
    except ValidationError:
        row.error = f"{row.email!r} is not an e-mail address."
        return row
    row.name = _first(record, NAME_COLUMNS)
    if format == "mailchimp" and record.get("last name"):
        row.name = f"{row.name} {record['last name']}".strip()
    try:
        row.signed_up_at = parse_date(_first(record, DATE_COLUMNS[format]))
        state, changed = _state(format, record)
        row.changed_at = parse_date(changed)
    except ValueError as error:
        row.error = str(error)
        return row
    row.state = state
    return row


def _first(record: dict[str, str], names) -> str:
    return next((record[name] for name in names if record.get(name)), "")


def _flag(record: dict[str, str], name: str) -> bool | None:
    value = record.get(name, "").lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    if value:
        raise ValueError(f"{name} is {record[name]!r}, neither true nor false.")
    return None


def _state(format: str, record: dict[str, str]) -> tuple[str, str]:
    """(consent state, when it changed) from the provider's own columns; a plain status column overrides."""
    status = _first(record, STATUS_COLUMNS).lower()
    if status in NOT_CONFIRMED:
        raise ValueError("This address never confirmed its subscription: there is no consent to import.")
    if status and status not in STATUS_WORDS:
        raise ValueError(f"Unknown status {status!r}.")
    if status:
        return STATUS_WORDS[status], ""
    if format == "mailchimp":
        if "clean_time" in record:
            return BOUNCED, record["clean_time"]
        if "unsub_time" in record:
            reason = record.get("unsub_reason", "").lower()
            return (COMPLAINED if "abuse" in reason or "spam" in reason else UNSUBSCRIBED), record["unsub_time"]
    if format == "substack":
        if _flag(record, "email_disabled") or _flag(record, "active_subscription") is False:
            return UNSUBSCRIBED, ""
    if format == "ghost":
        if record.get("deleted_at"):
            return UNSUBSCRIBED, record["deleted_at"]
        if _flag(record, "subscribed_to_emails") is False:
            return UNSUBSCRIBED, ""
    return SUBSCRIBED, ""


def parse_date(value: str) -> datetime | None:
    """ISO 8601 or "YYYY-MM-DD HH:MM:SS" (Mailchimp's), read as UTC when it names no offset."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" UTC", "").replace(" GMT", ""))
    except ValueError:
        raise ValueError(f"{value!r} is not a date (expected e.g. 2024-03-01 or 2024-03-01T08:30:00Z).") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
