"""The signed-in reader without two queries of their own: a cached page costs a member what it costs anyone.

Django loads a signed-in request's session row and then its user row, one query each. A request that reads the
cache stamps (masthead.core.stamps) reads the session row in that same query and primes the session with it
(`session_table`, `prime_session`), and the user comes from this process's memory under the membership
stamp, which any change to an account replaces (`AccountBackend`, `users_cached_under`). Django still makes
every check it makes on a signed-in request: the session's expiry (in the query), the backend, the user being
active, and the session hash, which changes with the password.

Once Django has found a signed-in reader for a session row, the same row (its signed data, unchanged) finds
the same reader until the membership stamp changes: the user is then kept by the row's data, and a later
request with that row skips decoding and Django's checks, which would give the same answer.

Staff are always read from the database: their pages are never cached, and an editor's rights must change at
once.
"""

import json
from contextlib import contextmanager
from contextvars import ContextVar
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

_stamps: ContextVar = ContextVar("masthead_user_cache_stamps", default=None)


@contextmanager
def users_cached_under(stamps):
    """Within the block, AccountBackend takes non-staff users from memory under `stamps.membership`."""
    token = _stamps.set(stamps)
    try:
        yield
    finally:
        _stamps.reset(token)


# Signed-in readers' accounts under the membership stamp, in this process.
_accounts = StampedMemo()
# The same accounts by the data of the session row that signed them in (see the module's docstring).
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
    """Django's ModelBackend, with get_user answered from memory inside `users_cached_under`."""

    def get_user(self, user_id):
        stamps = _stamps.get()
        if stamps is None:
            return super().get_user(user_id)
        user = _accounts.get(stamps.membership, str(user_id), lambda: self._cacheable_user(user_id))
        if user is None:
            return super().get_user(user_id)  # staff, or no such account
        user = own_copy(user)
        return user if self.user_can_authenticate(user) else None

    def _cacheable_user(self, user_id):
        user = super().get_user(user_id)
        return None if user is None or user.is_staff or user.is_superuser else user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, except that the user of a request that has read the stamps by the time it is first asked for
    comes through `users_cached_under` (the article page cache reads the stamps before anything asks)."""

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
    with users_cached_under(stamps):
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
