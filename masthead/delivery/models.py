"""One row that names the current state of what the site's cached pages are made of."""

import secrets

from django.db import models


def new_stamp() -> str:
    return secrets.token_hex(8)


class CacheStamps(models.Model):
    """Random stamps replaced whenever the content or the members' access changes.

    Cached HTML and the facts kept about readers are keyed by these stamps, read from the database once per
    request: a change made in one server process is seen at once by every other, whatever the cache backend
    (local memory is per process). Random rather than counted, so that a rolled-back change can never bring
    back a stamp that cached entries were made under.
    """

    content = models.CharField(max_length=32, default=new_stamp)
    membership = models.CharField(max_length=32, default=new_stamp)

    class Meta:
        verbose_name = "cache stamps"
        verbose_name_plural = "cache stamps"

    def __str__(self):
        return f"content {self.content}, membership {self.membership}"


class GatedImage(models.Model):
    """An image shown in the gated part of an article: its files are private (private_media.py), and a reader
    gets them only when they may read the whole of one of these articles (gated_images.serve)."""

    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "article"], name="gated_image_once_per_article")]

    def __str__(self):
        return f"image {self.image_id} in article {self.article_id}"
