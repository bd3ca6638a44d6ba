"""Images in the gated part of an article: their files are moved out of the public media root when the article
is published, and served by `serve` only to readers who may read the whole article (membership.access decides).

See README.md ("Gated images") for the design and its limits.
"""

from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET
from wagtail.images import get_image_model
from wagtail.models import ReferenceIndex
from wagtail.signals import page_published

from masthead.articles.models import ArticlePage
from masthead.delivery.models import GatedImage
from masthead.delivery.private_media import gated_name, is_gated_name
from masthead.membership.access import (
    Visibility,
    gate_policy,
    is_free_to_everyone,
    may_use_admin,
    visibility_for_request,
)

# How long a reader's browser may keep a gated image: it is theirs (private), and access can end.
BROWSER_SECONDS = 600


def _image_ids(raw_blocks) -> set[int]:
    return {
        raw["value"]["image"]
        for raw in raw_blocks
        if raw.get("type") == "image" and isinstance(raw.get("value"), dict) and raw["value"].get("image")
    }


def gated_image_ids(article) -> set[int]:
    """The images of the article's gated part that are not also in its preview (or its lead image)."""
    if is_free_to_everyone(article, gate_policy()):
        return set()
    preview, gated = article.split_raw_body()
    return _image_ids(gated) - _image_ids(preview) - {article.lead_image_id}


def _used_in_the_open(image, gated_in: set[int]) -> bool:
    """Whether anything a reader may see without the gate shows the image: another page's field or preview, an
    author's photo, an outlet's logo. Wagtail's reference index says where it is used."""
    for reference in ReferenceIndex.get_references_to(image):
        is_page_id = reference.object_id.isdigit()
        article = ArticlePage.objects.filter(pk=reference.object_id).first() if is_page_id else None
        if article is None:
            if reference.base_content_type.model != "page":
                return True  # a snippet (an author's photo, an outlet's logo) or another model
            continue  # a page that is not an article (none of them shows images today)
        if not article.live:
            continue  # a draft shows nothing to readers; publishing it will decide again
        if article.pk not in gated_in and image.pk not in gated_image_ids(article):
            return True
    return False


def do_gate_article_images(*, article) -> list[int]:
    """Record the article's gated images and make their files private; returns the ids made private."""
    article = ArticlePage.objects.get(pk=article.pk)  # as published
    ids = gated_image_ids(article)
    GatedImage.objects.filter(article=article).exclude(image_id__in=ids).delete()
    made_private = []
    for image in get_image_model().objects.filter(pk__in=ids):
        GatedImage.objects.get_or_create(image=image, article=article)
        if not is_gated_name(image.file.name) and not _used_in_the_open(image, {article.pk}):
            make_private(image)
            made_private.append(image.pk)
    return made_private


def make_private(image) -> None:
    """Move the original under a marked, unguessable name (kept outside the public media root by
    private_media.MediaStorage) and drop the renditions, which are made again beside it on demand."""
    old_name = image.file.name
    with image.open_file() as source:
        content = source.read()
    storage = image.file.storage
    with transaction.atomic():
        image.file.save(gated_name(old_name), ContentFile(content), save=False)
        image.save(update_fields=["file"])
        image.renditions.all().delete()  # Wagtail's receivers delete their files and cached entries
    transaction.on_commit(partial(storage.delete, old_name))


def _articles_that_gate(image):
    ids = GatedImage.objects.filter(image=image).values_list("article_id", flat=True)
    return [article for article in ArticlePage.objects.live().public().filter(pk__in=ids)
            if image.pk in gated_image_ids(article)]


def may_see(request, image) -> bool:
    if may_use_admin(request.user):
        return True  # editors see it in the admin and in previews
    return any(visibility_for_request(request, article) == Visibility.ALL for article in _articles_that_gate(image))


@require_GET
def serve(request, name: str):
    """A gated image's file (a rendition; the original to editors only), for a reader who may read it."""
    if not is_gated_name(name):
        raise Http404("No such image.")
    Image = get_image_model()
    Rendition = Image.get_rendition_model()
    rendition = Rendition.objects.select_related("image").filter(file=name).first()
    image = rendition.image if rendition else Image.objects.filter(file=name).first()
    if image is None or (rendition is None and not may_use_admin(request.user)) or not may_see(request, image):
        raise Http404("No such image.")  # the same answer whether it exists or not
    stored = rendition.file if rendition else image.file
    response = FileResponse(stored.open("rb"))
    response["Cache-Control"] = f"private, max-age={BROWSER_SECONDS}"
    response["Vary"] = "Cookie"
    return response


def _article_published(sender, instance=None, **kwargs):
    if isinstance(instance, ArticlePage):
        do_gate_article_images(article=instance)


def connect_receivers() -> None:
    page_published.connect(_article_published, dispatch_uid="masthead.gated_images.published")
