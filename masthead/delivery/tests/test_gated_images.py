"""Images after the preview cut of a paid article: their files leave the public media root when the article is
published, and only a reader who may read the whole article gets them (issue 12 item 12)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from masthead.articles.factories import ImageFactory, make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.membership.factories import MemberFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def image_block(image) -> dict:
    return {"type": "image", "value": {"image": image.pk, "caption": "", "credit": "", "alt_text": "A chart"}}


@pytest.fixture
def paid_article(section, django_capture_on_commit_callbacks):
    open_image, gated_image = ImageFactory(title="Harbour map"), ImageFactory(title="Ledger scan")
    gated_original = gated_image.file.name
    article = make_article(
        section=section,
        body=[
            paragraph("The opening, free to all."),
            image_block(open_image),
            {"type": "preview_cut", "value": None},
            paragraph("What the ledger showed."),
            image_block(gated_image),
        ],
        publish=False,
    )
    article.access_level = AccessLevel.PAID
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes once the move is committed
        article.save_revision().publish()
    open_image.refresh_from_db()
    gated_image.refresh_from_db()
    return ArticlePage.objects.get(pk=article.pk), open_image, gated_image, gated_original


# The rendition an article body's <img> names in its src (articles/blocks/image.html: srcset_image, WebP).
SHOWN = "width-600|format-webp"


def image_sources(response) -> list[str]:
    """Every image address in the page: each <img>'s src and the addresses in its srcset."""
    html = response.content.decode()
    sources = re.findall(r'<img[^>]* src="([^"]+)"', html)
    for srcset in re.findall(r'<img[^>]* srcset="([^"]+)"', html):
        sources += [candidate.split()[0] for candidate in srcset.split(",")]
    return sources


def public_file(name: str) -> Path:
    """Where the web server in front (or Django's /media/ view) would find a /media/ address."""
    return Path(settings.MEDIA_ROOT) / name


def test_a_gated_image_is_out_of_the_public_media_root_under_any_name(client, paid_article):
    article, _, gated_image, gated_original = paid_article
    assert gated_image.file.name != gated_original
    assert not public_file(gated_original).exists()  # the name the editor uploaded, the obvious guess
    assert not public_file(gated_image.file.name).exists()
    rendition = gated_image.get_rendition("width-1200")
    assert rendition.file.name.startswith("images/")
    assert not public_file(rendition.file.name).exists()
    for name in (gated_original, gated_image.file.name, rendition.file.name):
        assert client.get(f"/media/{name}").status_code == 404


def test_an_anonymous_reader_gets_no_address_and_no_bytes_of_a_gated_image(client, paid_article):
    article, open_image, gated_image, _ = paid_article
    sources = image_sources(client.get(article.url))
    stem = Path(gated_image.file.name).stem
    assert not [source for source in sources if stem in source]
    rendition = gated_image.get_rendition("width-1200")
    free_member = Client()
    free_member.force_login(MemberFactory().user)
    for reader in (client, free_member):
        assert reader.get(rendition.url).status_code == 404
        assert reader.get(f"/gated-images/{gated_image.file.name}").status_code == 404


def test_a_paying_member_gets_the_gated_image_privately(paid_article):
    article, _, gated_image, _ = paid_article
    member = Client()
    member.force_login(SubscriptionFactory().member.user)
    gated_sources = [source for source in image_sources(member.get(article.url)) if source.startswith("/gated-images/")]
    assert len(set(gated_sources)) == 2  # the src (also first in the srcset) and the srcset's larger one
    gated_sources.sort(key=lambda source: "width-600" not in source)
    response = member.get(gated_sources[0])
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    rendition = gated_image.get_rendition(SHOWN)
    with rendition.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    # The original is for editors (the admin); readers get renditions only.
    assert member.get(f"/gated-images/{gated_image.file.name}").status_code == 404


def test_images_in_the_preview_stay_plain_static_media(client, paid_article):
    article, open_image, _, _ = paid_article
    rendition = open_image.get_rendition(SHOWN)
    assert rendition.url == f"/media/{rendition.file.name}"
    assert rendition.url in image_sources(client.get(article.url))
    assert public_file(rendition.file.name).exists()
    assert public_file(open_image.file.name).exists()


def test_an_image_readers_see_elsewhere_without_the_gate_stays_public(section, django_capture_on_commit_callbacks):
    shared = ImageFactory(title="Harbour at dawn")
    with django_capture_on_commit_callbacks(execute=True):
        make_article(section=section, body=[paragraph("A free piece."), image_block(shared)])
        paid = make_article(
            section=section,
            body=[paragraph("The opening."), {"type": "preview_cut", "value": None}, image_block(shared)],
            publish=False,
        )
        paid.access_level = AccessLevel.PAID
        paid.save_revision().publish()
    shared.refresh_from_db()
    assert shared.file.name == "original_images/harbour-at-dawn.png"
    assert public_file(shared.file.name).exists()
    assert shared.get_rendition("width-1200").url.startswith("/media/images/")
