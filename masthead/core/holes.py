"""Per-request holes in cached HTML: what one reader's copy of a shared page needs (the CSRF token).

Cached fragments are rendered with a marker where the token goes, and each response gets the reader's own
token in its place. The marker is derived from SECRET_KEY, so no text typed by a reader or an editor can
carry it into a page.

The token put in a hole is Django's: the reader's CSRF secret under a fresh random mask, which
CsrfViewMiddleware checks as it checks any other. Two things differ from django.middleware.csrf.get_token,
because every signed-in reader's page view pays for them. The mask is drawn with one call for random bytes
instead of one per character and applied with byte tables (Django's way costs about 40 µs a page, this
about 3). And a cookie the browser already sent is not sent back again only to push its expiry (a year)
further: it is renewed at every sign-in (Django rotates the secret then), and a browser without one gets a
new one from Django.
"""

import secrets
from contextlib import contextmanager
from operator import add

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject


def _marker(name: str) -> str:
    return f"masthead-hole-{salted_hmac('masthead.core.holes', name).hexdigest()[:20]}-{name}"


# Lazy: SECRET_KEY is read when a page is first rendered, not at import.
CSRF_HOLE = SimpleLazyObject(lambda: _marker("csrf"))


_CHAR_COUNT = len(CSRF_ALLOWED_CHARS)
# Random bytes below this map evenly onto the characters (byte % 62); the few above are dropped, so that no
# character of the mask is likelier than another.
_UNBIASED_BELOW = 256 - 256 % _CHAR_COUNT
_BIASED_BYTES = bytes(range(_UNBIASED_BELOW, 256))
# Byte tables for bytes.translate, so that the work per character is done in C rather than in Python:
# a random byte to a position in CSRF_ALLOWED_CHARS; a character to its position; a position, or the sum of
# two positions (up to 122), to the character at that position modulo 62.
_TO_POSITION = bytes(byte % _CHAR_COUNT if byte < _UNBIASED_BELOW else 0 for byte in range(256))
_CHAR_TO_POSITION = bytes(
    CSRF_ALLOWED_CHARS.index(chr(byte)) if chr(byte) in CSRF_ALLOWED_CHARS else 0 for byte in range(256)
)
_TO_CHAR = bytes(ord(CSRF_ALLOWED_CHARS[byte % _CHAR_COUNT]) for byte in range(256))


def _random_positions(count: int) -> bytes:
    """`count` positions in CSRF_ALLOWED_CHARS, each equally likely, from the operating system's CSPRNG."""
    drawn = b""
    while len(drawn) < count:
        drawn += secrets.token_bytes(count + 8).translate(None, _BIASED_BYTES)
    return drawn[:count].translate(_TO_POSITION)


def masked_token(secret: str) -> str:
    """The secret under a new random mask, in the form Django's CSRF check unmasks: the mask, then each secret
    character moved along CSRF_ALLOWED_CHARS by the mask's character at the same place."""
    mask = _random_positions(CSRF_SECRET_LENGTH)
    cipher = bytes(map(add, secret.encode("ascii").translate(_CHAR_TO_POSITION), mask))
    return (mask.translate(_TO_CHAR) + cipher.translate(_TO_CHAR)).decode("ascii")


def csrf_token(request) -> str:
    """The token for this response's forms (see the module's docstring for how it differs from get_token)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return get_token(request)  # a new secret, or one Django is setting anyway: Django's own way
    return masked_token(secret)


def split_at_holes(html: str) -> tuple[str, ...]:
    """The HTML cut at its holes, as cached pages are kept: each reader's copy is then one join, where a
    search and replace of the whole page costs a member's page about 15 µs."""
    return tuple(html.split(str(CSRF_HOLE)))


def fill_holes(parts: tuple[str, ...], request) -> str:
    """split_at_holes' parts joined by this request's CSRF token (and a new secret's cookie set on the
    response)."""
    return parts[0] if len(parts) == 1 else csrf_token(request).join(parts)


def mark_filled(response):
    """Tell CsrfHoleMiddleware that the response's holes are filled already (it need not search it again)."""
    response.masthead_holes_filled = True
    return response


@contextmanager
def watching_csrf(request):
    """Tells whether anything read the request's real CSRF token inside the block: HTML rendered with one must
    never be cached for other readers. (Django's get_token marks the request when it hands out a token.)"""
    before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    seen = {"token_used": False}
    try:
        yield seen
    finally:
        seen["token_used"] = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = before or seen["token_used"]


class CsrfHoleMiddleware:
    """Fills the CSRF holes left in any response (the discussion's and inline feedback's forms use them even when
    nothing is cached, so that the same templates serve both). Listed after CsrfViewMiddleware, so that the
    token's cookie is still set on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or getattr(response, "masthead_holes_filled", False)
            or not hasattr(response, "content")
        ):
            return response
        marker = str(CSRF_HOLE).encode()
        if marker in response.content:
            response.content = response.content.replace(marker, csrf_token(request).encode())
        return response
