"""A guest's identity for votes: a random id in a signed cookie (Django's signing), stored only as its hash.

It lets a guest change or withdraw their vote and keeps them to one vote per comment while they keep the cookie;
a guest who drops it could vote again, so guests' votes are also limited per address (actions.votes).
"""

import hashlib
import secrets

COOKIE_NAME = "discussion_guest"
COOKIE_SALT = "masthead.discussion.guest"
COOKIE_AGE = 365 * 24 * 3600


def _hashed(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def guest_id(request) -> str:
    """The guest's id from their signed cookie, or "" (none, or one that was tampered with)."""
    return request.get_signed_cookie(COOKIE_NAME, default="", salt=COOKIE_SALT, max_age=COOKIE_AGE)


def guest_key(request) -> str:
    """What a guest's vote rows store: the hash of their id, or "" for a reader without one."""
    raw = guest_id(request)
    return _hashed(raw) if raw else ""


def new_guest_id() -> str:
    return secrets.token_urlsafe(24)


def key_of(raw: str) -> str:
    return _hashed(raw)


def remember_guest(request, response, raw: str) -> None:
    """Give the guest their id (only ever on the answer to a vote: shared pages never set it)."""
    response.set_signed_cookie(
        COOKIE_NAME, raw, salt=COOKIE_SALT, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
        secure=request.is_secure(),
    )
