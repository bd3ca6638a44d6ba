"""Images from a copy of WordPress's `wp-content/uploads` (`--media DIR`): an address found in the export is
looked up as a file there (the original when the address names a resized copy) and made a Wagtail image."""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError
from wagtail.images import get_image_model

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")  # WordPress's resized copies: photo-640x480.jpg
UPLOADS = "/wp-content/uploads/"


def upload_path(address: str) -> str:
    """Where under the uploads folder an address points: after /wp-content/uploads/, else its whole path
    (WordPress.com serves uploads from the root of files.wordpress.com)."""
    path = unquote(urlsplit(address).path)
    return path.split(UPLOADS, 1)[1] if UPLOADS in path else path.lstrip("/")


def local_file(root: Path, address: str) -> tuple[str, Path] | None:
    """(the path under `root`, the file) for an image address, or None when no such image file is there."""
    relative = upload_path(address)
    if not relative:
        return None
    root = root.resolve()
    for candidate in dict.fromkeys((relative, SIZE_SUFFIX.sub("", relative))):
        path = (root / candidate).resolve()
        if path.is_relative_to(root) and path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            return candidate, path
    return None


def make_image(path: Path, title: str):
    """A Wagtail image of the file; None when the file is not an image Pillow can read."""
    try:
        with PillowImage.open(path) as picture:
            picture.verify()
    except (UnidentifiedImageError, OSError):
        return None
    with path.open("rb") as handle:
        image = get_image_model()(title=title[:255] or path.stem, file=ImageFile(handle, name=path.name))
        image.save()
    return image


def delete_files(files) -> None:
    """Remove the image files a failed run wrote: its rows are rolled back, the files would stay behind."""
    for file in files:
        file.delete(save=False)
