"""The marker of the CSRF hole: forms in HTML that may be shared by several readers carry it instead of a token.

Templates put `CSRF_HOLE` where a form's token goes; the page layer (masthead.delivery.holes) fills each
response's holes with that reader's own token on the way out. The marker is derived from SECRET_KEY, so no text
typed by a reader or an editor can carry it into a page.
"""

from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject


def _marker(name: str) -> str:
    return f"masthead-hole-{salted_hmac('masthead.core.holes', name).hexdigest()[:20]}-{name}"


# Lazy: SECRET_KEY is read when a page is first rendered, not at import.
CSRF_HOLE = SimpleLazyObject(lambda: _marker("csrf"))


def split_at_holes(html: str) -> tuple[str, ...]:
    """The HTML cut at its holes: each reader's copy is then one join of the parts around their token."""
    return tuple(html.split(str(CSRF_HOLE)))
