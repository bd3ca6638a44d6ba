"""The admin's WordPress import (upload, then progress), and the old site's query-string addresses (`/?p=12`, `/?page_id=3`, `/?cat=4`, `/?feed=rss2`) are addresses of
the home page, which answers them itself, so Wagtail's redirect middleware (which looks only when nothing
answered) never sees them: they are looked up here, in the same table, before the home page is served."""

from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.contrib.redirects.middleware import get_redirect

from masthead.wordpress.admin_views import status, upload
from masthead.wordpress.redirects import QUERY_KEYS


@hooks.register("register_admin_urls")
def register_wordpress_admin_urls():
    urls = [path("", upload, name="upload"), path("<str:token>/", status, name="status")]
    return [path("wordpress-import/", include((urls, "wordpress_admin")))]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_wordpress_menu_item():
    return SuperuserMenuItem("Import from WordPress", reverse("wordpress_admin:upload"), icon_name="upload", order=900)


@hooks.register("before_serve_page")
def old_query_string_links(page, request, serve_args, serve_kwargs):
    if request.method != "GET" or request.path != "/" or not QUERY_KEYS.intersection(request.GET):
        return None
    redirect = get_redirect(request, request.get_full_path())
    if redirect is None or not redirect.link:
        return None
    return (HttpResponsePermanentRedirect if redirect.is_permanent else HttpResponseRedirect)(redirect.link)
