"""Values from outside kept within what the database and the calendar hold: ids in addresses and API paths,
years, tokens and JSON bodies, so a hostile value is a 404 or 400 and never reaches a query as an overflow."""

import json
from typing import Annotated

from pydantic import Field

# The largest integer any of our databases stores (a signed 64-bit column on SQLite and PostgreSQL).
MAX_DATABASE_INTEGER = 2**63 - 1

# An id in a JSON API path or query: beyond the database's integers it is refused (404 in a path, else 400).
DatabaseId = Annotated[int, Field(ge=0, le=MAX_DATABASE_INTEGER)]
# A count of rows to skip or take: the same ceiling, so LIMIT and OFFSET never overflow.
RowCount = Annotated[int, Field(ge=0, le=MAX_DATABASE_INTEGER)]


def only_the_path_is_wrong(errors: list[dict]) -> bool:
    """True when every problem a JSON API's validation found is in the path: an id that cannot exist (too big,
    negative, not a number) names nothing, so the answer is 404 as for an id that could exist but does not."""
    return bool(errors) and all(tuple(error.get("loc") or ("",))[0] == "path" for error in errors)


class DatabaseIdConverter:
    """`<id:name>` in a URL pattern: digits that fit the database, else the address does not match (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_DATABASE_INTEGER:
            raise ValueError("beyond the database's integers")  # Django reads this as "no match"
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class YearConverter:
    """`<year:name>`: a year the calendar (datetime) holds, 1 to 9999, else no match (404)."""

    regex = "[0-9]{1,4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if year < 1:
            raise ValueError("there is no year 0")
        return year

    def to_url(self, value) -> str:
        return str(int(value))


class TokenConverter:
    """`<token:name>`: a secret from `secrets.token_urlsafe` in an e-mailed link. Anything else (NUL bytes,
    which PostgreSQL refuses in a query, slashes, spaces) does not match (404)."""

    regex = "[A-Za-z0-9_-]{1,128}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class InvalidJSON(ValueError):
    """A body that is not JSON, or is nested deeper than the parser will follow."""


def parse_json(text: str | bytes):
    """json.loads that turns every way a body can be unreadable into InvalidJSON, nesting too deep included
    (the C parser answers 50,000 nested brackets with RecursionError, which no caller expects)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise InvalidJSON("it is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise InvalidJSON(error.msg) from None
    except UnicodeDecodeError:
        raise InvalidJSON("it is not UTF-8") from None
