"""The interface language of a response: the language of what the page shows, never the browser's.

A page about an article speaks the article's language (the page layer and the discussion activate it with
`use_language`); other pages speak the language their address names: its first segment (`/ar/...`, a language's
section), else a `lang` parameter (the links of an Arabic page to the member pages carry `lang=ar`), else the
first segment of its `next` address (the sign-in page an Arabic section links to), else the site's default.
Never a cookie or the browser's Accept-Language: the address alone decides, so shared caches stay right. Activated per request by
`ContentLanguageMiddleware`, which also forgets it at the end, so one request's language never reaches the next.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation

SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def supported(language: str | None) -> str:
    """`language` when the site speaks it, else the default language."""
    return language if language in SUPPORTED else settings.LANGUAGE_CODE


def language_of_path(path: str) -> str | None:
    """The language an address names by its first segment (`/fr/...`), or None."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in SUPPORTED else None


def language_for_request(request) -> str:
    # Only the query string is read here: a form's body is the view's to parse (and to refuse when malformed).
    chosen = request.GET.get("lang", "")
    language = (
        language_of_path(request.path_info)
        or (chosen if chosen in SUPPORTED else None)
        or language_of_path(_path_of(request.GET.get("next", "")))
    )
    return language or settings.LANGUAGE_CODE


def _path_of(address: str) -> str:
    try:
        return urlsplit(address).path
    except ValueError:  # "http://[" and the like: a malformed address names no language
        return ""


def use_language(language: str | None) -> str:
    """Speak `language` for the rest of this request (ContentLanguageMiddleware forgets it afterwards)."""
    language = supported(language)
    translation.activate(language)
    return language


class ContentLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(language_for_request(request))
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        finally:
            translation.deactivate()
