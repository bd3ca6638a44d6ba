"""URL map: reader pages and machine-readable views first, then Wagtail's page tree as the catch-all."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve as serve_file
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from masthead.articles import urls as article_urls
from masthead.core import views as core_views
from masthead.syndication import urls as syndication_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("jsi18n/<str:language>/", core_views.javascript_catalog, name="javascript_catalog"),
    path("feeds/", include(syndication_urls)),
    path("members/", include("masthead.membership.urls")),
    path("search/", include("masthead.search.urls")),
    path("api/", include("masthead.api")),
    path("discussion/", include("masthead.discussion.urls")),
    path("", include("masthead.delivery.urls")),
    path("", include("masthead.newsletters.urls")),
    path("", include("masthead.annotations.urls")),
    path("", include(article_urls)),
]

if settings.MASTHEAD_SERVE_MEDIA:
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve_file, {"document_root": settings.MEDIA_ROOT}, name="media")
    )

urlpatterns.append(path("", include(wagtail_urls)))

handler404 = "masthead.core.views.page_not_found"
handler500 = "masthead.core.views.server_error"
