"""Site-wide views: robots.txt, the JavaScript catalogue and the styled error pages."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.i18n import JavaScriptCatalog
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {settings.MASTHEAD_BASE_URL}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# The scripts' words (djangojs catalogues under LOCALE_PATHS), without the admin's: one small file per language.
_catalogue_view = JavaScriptCatalog.as_view(packages=["masthead.core"])


@require_GET
@cache_control(max_age=86400, public=True)
def javascript_catalog(request, language: str):
    """The script catalogue of one language, named in the address (the page's language, not the reader's)."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    with translation.override(language):
        return _catalogue_view(request)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
