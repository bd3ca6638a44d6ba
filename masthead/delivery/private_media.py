"""The site's file storage: public files under MEDIA_ROOT (served as /media/), gated images' files elsewhere.

A file whose name starts with the gated mark (`gated-<random>-`, given by gated_images.make_private) is kept under
MASTHEAD_PRIVATE_MEDIA_ROOT, which no web server serves, and its address is the access-checked view
(`delivery:gated_image`). Wagtail names a rendition after its original, so a gated image's renditions carry the
mark too and land beside it. Everything else is Django's FileSystemStorage as it is.
"""

import os
import re
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

GATED_MARK = re.compile(r"^gated-[0-9a-f]{16}-")


def is_gated_name(name: str) -> bool:
    return bool(GATED_MARK.match(os.path.basename(name or "")))


def gated_name(name: str) -> str:
    """A new base name for a file of a gated image: marked, and unguessable."""
    return f"gated-{secrets.token_hex(8)}-{os.path.basename(name)}"


class MediaStorage(FileSystemStorage):
    """FileSystemStorage that keeps marked (gated) files outside the public media root."""

    @staticmethod
    def _private() -> FileSystemStorage:
        return FileSystemStorage(location=settings.MASTHEAD_PRIVATE_MEDIA_ROOT)

    def path(self, name):
        if is_gated_name(name):
            return self._private().path(name)
        return super().path(name)

    def _save(self, name, content):
        # Django's documented hook for storages; the name stays relative to the private root.
        if is_gated_name(name):
            return self._private()._save(name, content)
        return super()._save(name, content)

    def url(self, name):
        if is_gated_name(name):
            return reverse("delivery:gated_image", kwargs={"name": name})
        return super().url(name)
