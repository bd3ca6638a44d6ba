"""The Subscribe box at the end of an article: shown while a newsletter is offered to new subscribers, and the
cached article page follows when an editor adds or removes one."""

import pytest

from masthead.articles.factories import make_article
from masthead.newsletters.factories import NewsletterFactory

pytestmark = pytest.mark.django_db

BOX = "New articles by e-mail"


def test_the_box_follows_the_newsletters_through_the_page_cache(
    client, section, settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = 60
    article = make_article(section=section)
    assert BOX not in client.get(article.url).content.decode()
    assert BOX not in client.get(article.url).content.decode()  # now from the page cache

    with django_capture_on_commit_callbacks(execute=True):
        newsletter = NewsletterFactory(default_on_sign_up=True)
    page = client.get(article.url).content.decode()
    assert BOX in page and 'action="/subscribe/"' in page

    with django_capture_on_commit_callbacks(execute=True):
        newsletter.delete()
    assert BOX not in client.get(article.url).content.decode()
