"""Images go out as responsive WebP renditions (srcset and sizes), and the demo's pictures are described as
what they show (issue 12, rough edges: weight)."""

import re

import pytest

from masthead.articles.factories import ImageFactory, make_article, paragraph, png_file

pytestmark = pytest.mark.django_db


def srcsets(html: str) -> list[list[tuple[str, str]]]:
    """Each <img>'s srcset as (url, width descriptor) pairs."""
    return [
        [tuple(candidate.split()) for candidate in srcset.split(",")]
        for srcset in re.findall(r'<img[^>]*\bsrcset="([^"]+)"', html)
    ]


def assert_webp_widths(candidates, widths):
    assert [descriptor for _, descriptor in candidates] == [f"{width}w" for width in widths]
    assert all(url.endswith(".webp") for url, _ in candidates), candidates


def test_cards_lead_and_body_images_are_responsive_webp(client, section):
    picture = ImageFactory(file=png_file("wide.png", size=(1600, 900)))
    article = make_article(
        section=section,
        lead_image=picture,
        body=[
            paragraph("Before the chart."),
            {"type": "image", "value": {"image": picture.pk, "caption": "A chart", "credit": "", "alt_text": ""}},
        ],
    )
    make_article(section=section, lead_image=ImageFactory(file=png_file("wide.png", size=(1600, 900))))

    home = client.get("/").content.decode()
    cards = srcsets(home)
    assert len(cards) >= 2
    for candidates in cards:
        assert_webp_widths(candidates, [480, 960])
    assert 'sizes="(max-width: 44rem) 100vw, 40rem"' in home  # the lead story is wider than the other cards

    page = client.get(article.url).content.decode()
    lead, body = srcsets(page)
    assert_webp_widths(lead, [640, 1200])
    assert_webp_widths(body, [600, 1200])
    assert re.search(r'<img[^>]*alt="A chart"[^>]*loading="lazy"|<img[^>]*loading="lazy"[^>]*alt="A chart"', page)
