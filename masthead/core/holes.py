"""Per-request holes in cached HTML: what one reader's copy of a shared page needs (the CSRF token).

Cached fragments are rendered with a marker where the token goes, and each response gets the reader's own
token in its place. The marker is derived from SECRET_KEY, so no text typed by a reader or an editor can
carry it into a page.
"""

from contextlib import contextmanager

from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject


def _marker(name: str) -> str:
    return f"masthead-hole-{salted_hmac('masthead.core.holes', name).hexdigest()[:20]}-{name}"


# Lazy: SECRET_KEY is read when a page is first rendered, not at import.
CSRF_HOLE = SimpleLazyObject(lambda: _marker("csrf"))


def fill_csrf(html: str, request) -> str:
    """The HTML with this request's CSRF token in every hole (and the token's cookie set on the response)."""
    marker = str(CSRF_HOLE)
    if marker not in html:
        return html
    return html.replace(marker, get_token(request))


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
        if getattr(response, "streaming", False) or not hasattr(response, "content"):
            return response
        marker = str(CSRF_HOLE).encode()
        if marker in response.content:
            response.content = response.content.replace(marker, get_token(request).encode())
        return response
