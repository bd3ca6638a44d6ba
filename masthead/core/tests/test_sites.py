"""The default Site follows MASTHEAD_BASE_URL (make run's HOST and PORT) unless an operator has set it."""

import pytest
from django.core.management import call_command
from wagtail.models import Site

from masthead.articles.factories import make_article

pytestmark = pytest.mark.django_db

SERVED_AT = "http://127.0.0.1:8802"


@pytest.fixture
def served_on_8802(settings):
    settings.MASTHEAD_BASE_URL = SERVED_AT
    settings.WAGTAILADMIN_BASE_URL = SERVED_AT


def default_site() -> Site:
    return Site.objects.get(is_default_site=True)


def set_address(hostname: str, port: int) -> None:
    Site.objects.filter(is_default_site=True).update(hostname=hostname, port=port)


def test_a_site_the_demo_made_for_port_8000_follows_the_port_served(served_on_8802, client, section, capsys):
    article = make_article(section=section)
    set_address("127.0.0.1", 8000)  # what the demo used to make, whatever PORT was

    call_command("sync_site")

    assert (default_site().hostname, default_site().port) == ("127.0.0.1", 8802)
    assert "127.0.0.1:8802" in capsys.readouterr().out
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{SERVED_AT}{article.url}</loc>" in sitemap
    assert ":8000" not in sitemap
    assert f"Sitemap: {SERVED_AT}/sitemap.xml" in client.get("/robots.txt").content.decode()
    html = client.get(article.url).content.decode()
    assert f'<link rel="canonical" href="{SERVED_AT}{article.url}">' in html
    assert f'content="{SERVED_AT}{article.url}"' in html  # og:url
    assert ":8000" not in html


def test_wagtails_own_localhost_site_follows_too(served_on_8802, section):
    set_address("localhost", 80)
    call_command("sync_site")
    assert (default_site().hostname, default_site().port) == ("127.0.0.1", 8802)


def test_a_site_made_for_all_interfaces_follows_too(served_on_8802, section):
    set_address("0.0.0.0", 8000)  # HOST=0.0.0.0 make run, without a base URL of its own
    call_command("sync_site")
    assert (default_site().hostname, default_site().port) == ("127.0.0.1", 8802)


def test_an_https_base_url_gives_port_443(settings, section):
    settings.MASTHEAD_BASE_URL = "https://news.example.org"
    call_command("sync_site")
    assert (default_site().hostname, default_site().port) == ("news.example.org", 443)


def test_an_operators_own_site_is_left_as_it_is(served_on_8802, section, capsys):
    set_address("news.example.org", 443)
    call_command("sync_site")
    assert (default_site().hostname, default_site().port) == ("news.example.org", 443)
    assert "left as it is" in capsys.readouterr().out


def test_an_address_another_site_has_is_not_taken(served_on_8802, section, capsys):
    set_address("127.0.0.1", 8000)
    Site.objects.create(hostname="127.0.0.1", port=8802, root_page=section, site_name="Another")
    call_command("sync_site")
    assert (default_site().hostname, default_site().port) == ("127.0.0.1", 8000)
    assert "another Site" in capsys.readouterr().out


def test_no_site_yet_is_not_an_error(capsys):
    Site.objects.all().delete()
    call_command("sync_site")
    assert "no default Site" in capsys.readouterr().out
