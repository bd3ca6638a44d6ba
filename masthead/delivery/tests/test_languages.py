"""The page's language is the interface's: an Arabic article page is Arabic throughout (header, byline, gate,
discussion, dates), from the cache too, and no request's language reaches the next."""

import json

import pytest
from django.core.cache import cache

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.discussion.factories import make_comment

pytestmark = pytest.mark.django_db

# Interface strings of the article page in English; none may show on an Arabic or French page.
ENGLISH_INTERFACE = [
    ">Skip to content<", ">Sign in<", ">Subscribe<", "By ", "Sort:", "Sign in to join the discussion",
    " comments<", ">Archive<", ">Authors<", ">Topics<", "Subscribe now to keep reading", "Already a member?",
    "E-mail address", "Send me a link", "years ago", "New articles by e-mail",
]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = 60
    cache.clear()


def gated_article(section, language: str, title: str) -> ArticlePage:
    """An article for members (the default gate is the paywall): readers see the gate and its sign-up form."""
    article = make_article(
        section=section,
        title=title,
        language=language,
        body=[paragraph("Un."), paragraph("Deux."), paragraph("Trois."), paragraph("Quatre.")],
        publish=False,
    )
    article.access_level = AccessLevel.MEMBERS
    article.preview_paragraphs = 1
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


@pytest.mark.parametrize(
    ("language", "direction", "expected"),
    [
        ("ar", "rtl", ["بقلم", "النقاش", "تسجيل الدخول", "اشترك الآن لتواصل القراءة", "عنوان البريد الإلكتروني", "قبل"]),
        ("fr", "ltr", ["Par ", "Discussion", "Se connecter", "Abonnez-vous pour continuer à lire", "Adresse électronique", "il y a"]),
    ],
)
def test_an_article_page_speaks_its_language_throughout(client, section, language, direction, expected):
    article = gated_article(section, language, f"Article {language}")
    make_comment(article=article, body="A comment in English on this page.")
    for attempt in ("rendered", "from the cache"):
        response = client.get(article.url)
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in html, attempt
        assert f'<header class="site-header" lang="{language}" dir="{direction}">' in html
        assert response["Content-Language"] == language
        for text in expected:
            assert text in html, (attempt, text)
        assert [text for text in ENGLISH_INTERFACE if text in html] == [], attempt


def test_one_pages_language_never_reaches_the_next_request(client, section):
    arabic = make_article(section=section, title="مقال", language="ar")
    english = make_article(section=section, title="An article", language="en")
    assert "بقلم" in client.get(arabic.url).content.decode()
    html = client.get(english.url).content.decode()
    assert '<html lang="en" dir="ltr">' in html and "By " in html and "بقلم" not in html
    assert '<html lang="en" dir="ltr">' in client.get("/authors/").content.decode()


def test_arabic_counts_use_its_plural_forms(client, section):
    article = make_article(section=section, title="نقاش", language="ar")
    for number in range(2):
        make_comment(article=article, body=f"Comment {number}")
    assert "تعليقان" in client.get(article.url).content.decode()  # the dual: "two comments"
    make_comment(article=article, body="Comment 3")
    cache.clear()
    assert "3 تعليقات" in client.get(article.url).content.decode()


def test_the_script_catalogue_is_the_pages_language(client):
    arabic = client.get("/jsi18n/ar/")
    script = arabic.content.decode()
    assert arabic.status_code == 200 and json.dumps("تعليقان")[1:-1] in script  # "two comments"
    assert "n==2 ? 2" in script  # the plural rule with Arabic's dual
    assert client.get("/jsi18n/xx/").status_code == 404
