"""What a cache in front of the site (Varnish, a CDN) may keep: `Cache-Control` and `Surrogate-Control` per kind
of response, and the small fetch that gives a reader of a shared page their own CSRF token.

Shared, when the edge is on (`MASTHEAD_EDGE_SECONDS` > 0): a GET of a Wagtail page (home, sections, articles),
a feed, the sitemap or robots.txt by a reader who carries none of the reader's cookies (session, meter, CSRF),
answered 200 without setting a cookie. Such a page is rendered with its forms' tokens empty
(`holes.token_for`), and `delivery/edge.js` fetches the reader's token from `/edge/csrf-token` and fills it
in. Browsers keep nothing (`max-age=0`); the edge keeps the page `MASTHEAD_EDGE_SECONDS` and is purged on every
change (edge_purge.py), may serve it stale while it fetches a new one, and serves it stale when the site fails.

Private: anything for a signed-in reader or a session (`private, no-store`), and anything else that depends on
the reader (`private`, from `holes.PrivateResponsesMiddleware`). Everything else carries no surrogate header,
and the Varnish configuration in `deploy/` keeps nothing without one.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from wagtail.views import serve as wagtail_serve

from masthead.membership.metering import COOKIE_NAME as METER_COOKIE

# Cookies that make a response this reader's own: their session, their meter, and the CSRF cookie.
READER_COOKIES = (settings.SESSION_COOKIE_NAME, METER_COOKIE, settings.CSRF_COOKIE_NAME)
# Views other than Wagtail's pages whose anonymous answers are the same for everyone, by URL name.
SHARED_URL_NAMES = {"sitemap", "robots_txt"}
SHARED_NAMESPACES = {"syndication"}


def edge_seconds() -> int:
    return settings.MASTHEAD_EDGE_SECONDS


def is_shareable_request(request) -> bool:
    """Whether this request's answer may be the one every reader without cookies gets: the edge is on, it is a
    read, and nothing in it names a reader. Forms on such a page get an empty token (filled by edge.js)."""
    if not edge_seconds() or request.method not in ("GET", "HEAD"):
        return False
    if any(name in request.COOKIES for name in READER_COOKIES):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def is_shared_kind(request) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    return (
        match.func is wagtail_serve
        or match.url_name in SHARED_URL_NAMES
        or bool(set(match.namespaces) & SHARED_NAMESPACES)
    )


def shared_cache_control() -> dict:
    seconds = edge_seconds()
    return {
        "public": True,
        "max_age": 0,
        "s_maxage": seconds,
        "stale_while_revalidate": settings.MASTHEAD_EDGE_STALE_WHILE_REVALIDATE,
        "stale_if_error": settings.MASTHEAD_EDGE_STALE_IF_ERROR,
    }


def mark_response(request, response) -> None:
    """Set the cache headers of one response (see the module's docstring)."""
    cache_control = response.get("Cache-Control", "")
    user = getattr(request, "user", None)
    if (user is not None and user.is_authenticated) or settings.SESSION_COOKIE_NAME in request.COOKIES:
        # A view that let the reader's own browser keep its answer (a gated image) keeps that choice.
        if not ("private" in cache_control and "max-age" in cache_control):
            patch_cache_control(response, private=True, no_store=True)
        response["Surrogate-Control"] = "no-store"
        return
    if "private" in cache_control or "no-store" in cache_control or response.cookies:
        response["Surrogate-Control"] = "no-store"
        return
    if (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and is_shareable_request(request)
        and is_shared_kind(request)
    ):
        patch_cache_control(response, **shared_cache_control())
        response["Surrogate-Control"] = f"max-age={edge_seconds()}"


class EdgeCacheMiddleware:
    """Marks each response for the caches in front of the site. Listed before (outside)
    PrivateResponsesMiddleware, so that it sees what that one marked private."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        mark_response(request, response)
        return response


@never_cache
def csrf_token(request):
    """This reader's CSRF token (Django's own, which also sets its cookie), for the forms of a shared page."""
    response = JsonResponse({"token": get_token(request)})
    patch_cache_control(response, private=True, no_store=True)
    return response


@never_cache
def health(request):
    """For the edge's probes: 200 when this node answers and reaches its database, 503 otherwise (the edge then
    sends readers to other nodes, or serves what it keeps while none is healthy)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
