"""The signed-in reader without two queries of their own: a cached page costs a member what it costs anyone.

Django loads a signed-in request's session row and then its user row, one query each. A request that reads the
cache stamps (masthead.core.stamps) reads the session row in that same query, with Django's expiry condition,
and primes the session with it (`session_table`, `prime_session`).

The user then comes from this process's memory. Once Django's own get_user has found a signed-in member for a
session row (checking the backend, the user being active and the session hash, which changes with the
password), the same row, its signed data unchanged, finds the same member until the membership stamp changes,
which any change to an account replaces. The member is kept by the row's data, and later requests with that
row skip decoding and checks that would give the same answer.

Staff are always read from the database: their pages are never cached, and an editor's rights must change at
once.
"""

import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user as django_get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db.models.base import ModelState
from django.utils.functional import SimpleLazyObject

from masthead.core.stamps import StampedMemo

# The backend named in the sessions this site makes (membership.views signs members in with it).
BACKEND = "masthead.accounts.signed_in.AccountBackend"

# Signed-in members' accounts by the data of the session row that signed them in (see the module's docstring).
_users_by_session = StampedMemo(max_entries=5_000)
# Session contents whose values are all of these can be copied with dict(); others go through JSON again.
_FLAT_TYPES = (str, int, float, bool, type(None))


def own_copy(user):
    """A copy of a memoised account for one request, free to change (copy.copy would pickle the model
    instance, several times slower)."""
    clone = object.__new__(type(user))
    clone.__dict__.update(user.__dict__)
    state = ModelState()
    state.db, state.adding = user._state.db, user._state.adding
    clone._state = state
    return clone


class AccountBackend(ModelBackend):
    """Django's ModelBackend under this site's own name, which every session records: the name stays put
    whatever the backend becomes (a session naming a backend no longer configured is signed out)."""


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, except that the user of a request that has read the stamps by the time it is first asked for
    may come from memory (`signed_in_user`; the article page cache reads the stamps before anything asks)."""

    def process_request(self, request):
        super().process_request(request)  # its own checks (the session middleware comes first)
        request.user = SimpleLazyObject(lambda: signed_in_user(request))


def signed_in_user(request):
    if not hasattr(request, "_cached_user"):
        stamps = getattr(request, "_masthead_stamps", None)
        request._cached_user = django_get_user(request) if stamps is None else _user_under(stamps, request)
        # The user itself from now on, not the lazy wrapper: every attribute read through the wrapper costs a
        # function call, and a cached page asks a dozen of them.
        request.user = request._cached_user
    return request._cached_user


def _user_under(stamps, request):
    session = request.session
    row_data = getattr(session, "_masthead_row_data", None)
    known = _users_by_session.peek(stamps.membership, row_data) if row_data is not None else None
    if known is not None and not session.modified:
        session.accessed = True  # as Django's get_user would have left it
        return own_copy(known)
    user = django_get_user(request)
    # Only a plain signed-in member, found without changing the session (Django cycles or flushes a session
    # whose hash it had to check against an old secret key or could not verify).
    if (
        row_data is not None
        and user.is_authenticated
        and not (user.is_staff or user.is_superuser)
        and not session.modified
    ):
        _users_by_session.put(stamps.membership, row_data, own_copy(user))
    return user


def session_table(session) -> str | None:
    """The table to read a session from alongside the stamps: for a database-backed session with a key, not
    loaded yet. None otherwise (no cookie, a session already read, or sessions kept elsewhere)."""
    if not isinstance(session, DatabaseSessionStore) or hasattr(session, "_session_cache"):
        return None
    if not session.session_key:
        return None
    return _table_of(type(session))


@lru_cache(maxsize=8)
def _table_of(store_class) -> str:
    return store_class.get_model_class()._meta.db_table


def prime_session(session, session_data: str) -> None:
    """Give the session the data of its row, read by the stamps query (with Django's own expiry condition).
    This is what the store's load() does on first use; it then has nothing to load."""
    contents, flat = _decoded(type(session), session_data, settings.SECRET_KEY)
    # Every request gets its own copy to change.
    session._session_cache = dict(contents) if flat else json.loads(json.dumps(contents))
    session._masthead_row_data = session_data


def prime_absent_session(session) -> None:
    """Tell the session that its row is missing or expired, as the store's load() finds out on first use (it
    then forgets the key, and the session middleware deletes the browser's stale cookie)."""
    session._session_key = None
    session._session_cache = {}


@lru_cache(maxsize=4096)
def _decoded(store_class, session_data: str, secret_key: str) -> tuple[dict, bool]:
    """The session data, its signature checked, and whether all its values are plain: the same row decodes the
    same way every time, and most requests carry a session this process has decoded before (a reader's session
    changes when they sign in or out)."""
    contents = store_class().decode(session_data)
    return contents, all(isinstance(value, _FLAT_TYPES) for value in contents.values())
