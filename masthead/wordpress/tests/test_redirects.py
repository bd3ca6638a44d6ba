"""Old links keep working: the WordPress site's addresses answer 301 to their new place."""

from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
from wagtail.contrib.redirects.models import Redirect

from masthead.articles.models import ArticlePage, Author, PlainPage, SectionPage, Topic
from masthead.wordpress.actions import check_import_wordpress, do_import_wordpress
from masthead.wordpress.models import ImportedObject
from masthead.wordpress.tests.conftest import DATA, FIXTURES

SITE = DATA / "wpdiscuz-site.xml"


def run_import(path):
    return do_import_wordpress(checked=check_import_wordpress(path=path))


def moved(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 301, (address, response.status_code)
    return response["Location"]


def test_old_addresses_of_the_wpdiscuz_site(home, client):
    report = run_import(SITE)
    article = ArticlePage.objects.get(slug="harbour-dues")
    about = PlainPage.objects.get(title="About us")
    ports = SectionPage.objects.get(slug="ports")
    tariffs = Topic.objects.get(name="Tariffs")
    ilse = Author.objects.get(name="Ilse Brandt")
    assert report.created["old addresses redirected"] == Redirect.objects.count() > 10
    wp_id = ImportedObject.objects.get(kind="article", object_id=article.pk).wp_key
    page_id = ImportedObject.objects.get(kind="page", object_id=about.pk).wp_key
    assert moved(client, f"/?p={wp_id}") == article.url
    assert moved(client, f"/?page_id={page_id}") == about.url
    assert moved(client, "/2023/04/harbour-dues/") == article.url
    assert moved(client, "/2023/04/03/harbour-dues/") == article.url
    assert moved(client, "/harbour-dues/") == article.url
    assert moved(client, "/category/ports/") == ports.url
    assert moved(client, "/tag/tariffs/") == tariffs.get_absolute_url()
    assert moved(client, "/tag/tariffs/feed/") == f"/feeds/topics/{tariffs.slug}/rss/"
    assert moved(client, "/author/ilse/") == ilse.get_absolute_url()
    assert moved(client, "/feed/") == "/feeds/rss/"
    assert moved(client, "/comments/feed/") == "/feeds/rss/"
    assert moved(client, "/?feed=atom") == "/feeds/atom/"
    # The home page itself, and query strings that were never WordPress's, are left alone.
    assert client.get("/").status_code == 200
    assert client.get("/?p=999999").status_code == 200
    assert client.get("/?utm_source=x").status_code == 200
    # Plain pages are served.
    response = client.get(about.url)
    assert response.status_code == 200 and "We are a small newsroom." in response.content.decode()


def test_a_second_run_adds_no_redirect_and_an_editors_own_wins(home, client):
    Redirect.objects.create(old_path="/feed", redirect_link="/elsewhere/", site=None)
    run_import(SITE)
    count = Redirect.objects.count()
    report = run_import(SITE)
    assert Redirect.objects.count() == count and "old addresses redirected" not in report.created
    assert moved(client, "/feed/") == "/elsewhere/"


@pytest.mark.parametrize("name", ["theme-unit-test-data.xml", "small-export.xml", "valid-wxr-1.1.xml"])
def test_every_imported_post_and_page_answers_at_its_old_permalink(home, client, name):
    run_import(FIXTURES / name)
    checked = 0
    for obj in ImportedObject.objects.filter(kind__in=("article", "page")):
        page = (ArticlePage if obj.kind == "article" else PlainPage).objects.get(pk=obj.object_id)
        key = "p" if obj.kind == "article" else "page_id"
        if page.live:
            assert moved(client, f"/?{key}={obj.wp_key}") == page.url
            checked += 1
    assert checked > 0
    root = ElementTree.parse(FIXTURES / name).getroot()
    for item in root.iter("item"):
        fields = {child.tag.split("}")[-1]: (child.text or "") for child in item}
        wp_id = fields.get("post_id")
        obj = ImportedObject.objects.filter(kind__in=("article", "page"), wp_key=wp_id).first()
        link = fields.get("link", "").strip()
        if obj is None or "://" not in link or "?" in link:
            continue
        page = (ArticlePage if obj.kind == "article" else PlainPage).objects.get(pk=obj.object_id)
        if page.live:
            path = "/" + link.split("://", 1)[1].partition("/")[2]
            if unquote(path) == unquote(page.url):  # the same address here (a page whose slug is its old path): served as it is
                assert client.get(path).status_code == 200
            else:
                assert moved(client, path) == page.url, path
