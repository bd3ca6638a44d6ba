"""OpenSearch/Elasticsearch through Wagtail's backend: the language tests again, when a server is configured
(MASTHEAD_SEARCH_URL, e.g. http://127.0.0.1:9200, with MASTHEAD_SEARCH_ENGINE and its client installed)."""

import urllib.request

import pytest
from django.conf import settings
from wagtail.search.backends import get_search_backend

from masthead.articles.factories import make_article, paragraph
from masthead.search.models import ArticleText


def _server_answers() -> bool:
    if not settings.MASTHEAD_SEARCH_URL:
        return False
    try:
        with urllib.request.urlopen(settings.MASTHEAD_SEARCH_URL.split(",")[0], timeout=2):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not _server_answers(), reason="no OpenSearch/Elasticsearch server: set MASTHEAD_SEARCH_URL"),
]


@pytest.fixture(autouse=True)
def fresh_index():
    backend = get_search_backend()
    backend.reset_index()
    yield
    backend.reset_index()


@pytest.mark.parametrize("query", ["الطَّاقَةُ", "الطاقة", "électricité", "electricite"])
def test_the_server_finds_arabic_and_french_however_written(client, section, query):
    make_article(section=section, title="الطاقة", body=[paragraph("الطاقة الشمسية")], language="ar")
    make_article(section=section, title="Le barrage", body=[paragraph("L'électricité du barrage.")], language="fr")
    get_search_backend().get_index_for_model(ArticleText).refresh()  # what was indexed becomes searchable
    assert "1 result for" in client.get("/search/", {"q": query}).content.decode()
