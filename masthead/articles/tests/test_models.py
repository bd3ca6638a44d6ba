import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from masthead.articles.factories import (
    AuthorFactory,
    ImageFactory,
    SourceOutletFactory,
    make_article,
    make_section,
)
from masthead.articles.models import CARD_IMAGE_SRCSET, ArticlePage, SectionPage

pytestmark = pytest.mark.django_db


def test_original_url_must_be_a_web_address(section):
    outlet = SourceOutletFactory()
    article = make_article(section=section)
    article.source_outlet = outlet
    for bad_url in ["javascript:alert(1)", "ftp://files.example.org/paper.pdf", "mailto:a@example.org"]:
        article.original_url = bad_url
        with pytest.raises(ValidationError) as error:
            article.full_clean()
        assert error.value.message_dict["original_url"] == [
            "Enter a web address that starts with http:// or https://."
        ]


def test_republished_piece_needs_both_outlet_and_original_url(section):
    article = make_article(section=section)
    article.source_outlet = SourceOutletFactory()
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "original_url" in error.value.message_dict

    article.source_outlet = None
    article.original_url = "https://example.org/original"
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "source_outlet" in error.value.message_dict


def test_republished_article_stays_out_of_the_sitemap(section):
    own = make_article(section=section)
    republished = make_article(
        section=section, source_outlet=SourceOutletFactory(), original_url="https://example.org/first"
    )
    assert republished.is_republished and not own.is_republished
    assert republished.get_sitemap_urls() == []
    assert own.get_sitemap_urls()[0]["location"].endswith(own.url)


def test_text_direction_follows_the_language(section):
    assert make_article(section=section, language="ar").text_direction == "rtl"
    assert make_article(section=section, language="fr").text_direction == "ltr"


def test_byline_keeps_the_editors_order(section):
    first, second, third = AuthorFactory(), AuthorFactory(), AuthorFactory()
    article = make_article(section=section, authors=[third, first, second])
    assert [author.pk for author in ArticlePage.objects.get(pk=article.pk).byline] == [
        third.pk,
        first.pk,
        second.pk,
    ]


def test_for_listing_query_count_is_flat(section, django_assert_num_queries):
    def listed():
        return [
            (
                article.title,
                article.section_title,
                [credit.author.name for credit in article.article_authors.all()],
                [rendition.url for rendition in article.lead_image.get_renditions(*CARD_IMAGE_SRCSET).values()],
            )
            for article in ArticlePage.objects.live().for_listing()
        ]

    make_article(section=section, lead_image=ImageFactory())
    listed()  # renditions are generated on first use; count the steady state
    with CaptureQueriesContext(connection) as one_article:
        assert len(listed()) == 1
    for _ in range(12):
        make_article(section=section, authors=[AuthorFactory(), AuthorFactory()], lead_image=ImageFactory())
    listed()
    with django_assert_num_queries(len(one_article.captured_queries)):
        rows = listed()
    assert len(rows) == 13
    assert all(row[1] == section.title for row in rows)


def test_sections_carry_their_latest_articles(django_assert_max_num_queries):
    economy = make_section("Economy", "economy")
    energy = make_section("Energy", "energy")
    economy_articles = [make_article(section=economy) for _ in range(6)]
    make_article(section=energy)
    with django_assert_max_num_queries(6):
        sections = {s.slug: s for s in SectionPage.objects.live().with_latest_articles(4)}
        latest = {slug: [a.pk for a in s.latest_articles] for slug, s in sections.items()}
    newest_first = sorted(economy_articles, key=lambda a: a.first_published_at, reverse=True)
    assert latest["economy"] == [a.pk for a in newest_first[:4]]
    assert len(latest["energy"]) == 1
