"""The signed-in reader without two queries of their own: a cached page costs a member what it costs anyone.

Django loads a signed-in request's session row and then its user row, one query each. A request that reads the
cache stamps (masthead.core.stamps) reads the session row in that same query and primes the session with it
(`session_table`, `prime_session`), and the user comes from this process's memory under the membership
stamp, which any change to an account replaces (`AccountBackend`, `users_cached_under`). Django still makes
every check it makes on a signed-in request: the session's expiry (in the query), the backend, the user being
active, and the session hash, which changes with the password.

Staff are always read from the database: their pages are never cached, and an editor's rights must change at
once.
"""

import copy
import json
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user as django_get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
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


class AccountBackend(ModelBackend):
    """Django's ModelBackend, with get_user answered from memory inside `users_cached_under`."""

    def get_user(self, user_id):
        stamps = _stamps.get()
        if stamps is None:
            return super().get_user(user_id)
        user = _accounts.get(stamps.membership, str(user_id), lambda: self._cacheable_user(user_id))
        if user is None:
            return super().get_user(user_id)  # staff, or no such account
        user = copy.copy(user)  # each request its own instance, free to change
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
        if stamps is None:
            request._cached_user = django_get_user(request)
        else:
            with users_cached_under(stamps):
                request._cached_user = django_get_user(request)
    return request._cached_user


def session_table(session) -> str | None:
    """The table to read a session from alongside the stamps: for a database-backed session with a key, not
    loaded yet. None otherwise (no cookie, a session already read, or sessions kept elsewhere)."""
    if not isinstance(session, DatabaseSessionStore) or hasattr(session, "_session_cache"):
        return None
    if not session.session_key:
        return None
    return session.get_model_class()._meta.db_table


def prime_session(session, session_data: str) -> None:
    """Give the session the data of its row, read by the stamps query (with Django's own expiry condition).
    This is what the store's load() does on first use; it then has nothing to load."""
    session._session_cache = json.loads(_decoded(type(session), session_data, settings.SECRET_KEY))


@lru_cache(maxsize=4096)
def _decoded(store_class, session_data: str, secret_key: str) -> str:
    """The session data, its signature checked, as JSON text: the same row decodes the same way every time, and
    most requests carry a session this process has decoded before (a reader's session changes when they sign in
    or out). Text, so that every request gets its own copy to change."""
    return json.dumps(store_class().decode(session_data))
