"""Images from `--media` (a copy of wp-content/uploads): body images, galleries and lead images, made once."""

from PIL import Image as PillowImage
from wagtail.images import get_image_model

from masthead.articles.models import ArticlePage
from masthead.wordpress.actions import check_import_wordpress, do_import_wordpress
from masthead.wordpress.media import local_file

EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>https://quay.example</wp:base_blog_url>
<item><title>At the quay</title><dc:creator>ola</dc:creator><wp:post_id>7</wp:post_id><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><wp:post_date_gmt>2022-02-02 10:00:00</wp:post_date_gmt>
<content:encoded><![CDATA[<p>Morning.</p>
[caption id="attachment_8" width="640"]<img src="https://quay.example/wp-content/uploads/2022/02/quay-640x480.jpg" alt="Boats"> The boats at six[/caption]
[gallery ids="8,9"]
<img src="https://quay.example/wp-content/uploads/2022/02/gone.jpg">]]></content:encoded>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9</wp:meta_value></wp:postmeta></item>
<item><title>quay</title><wp:post_id>8</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
<wp:attachment_url>https://quay.example/wp-content/uploads/2022/02/quay.jpg</wp:attachment_url></item>
<item><title>crane</title><wp:post_id>9</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
<wp:attachment_url>https://quay.example/wp-content/uploads/2022/02/crane.png</wp:attachment_url></item>
</channel></rss>"""


def uploads(tmp_path):
    folder = tmp_path / "uploads" / "2022" / "02"
    folder.mkdir(parents=True)
    PillowImage.new("RGB", (64, 48), "#224466").save(folder / "quay.jpg")
    PillowImage.new("RGB", (32, 32), "#664422").save(folder / "crane.png")
    (tmp_path / "secret.jpg").write_bytes(b"not under uploads")
    export = tmp_path / "export.xml"
    export.write_text(EXPORT, encoding="utf-8")
    return export, tmp_path / "uploads"


def run(export, media, dry_run=False):
    return do_import_wordpress(checked=check_import_wordpress(path=export, media=media), dry_run=dry_run)


def test_images_are_found_made_once_and_placed(home, tmp_path):
    export, media = uploads(tmp_path)
    dry = run(export, media, dry_run=True)
    assert dry.created["images"] == 2 and dry.missing_images == 1
    assert get_image_model().objects.count() == 0
    report = run(export, media)
    assert report.created["images"] == 2 and report.missing_images == 1
    article = ArticlePage.objects.get(slug="at-the-quay")
    images = {image.title: image for image in get_image_model().objects.all()}
    assert set(images) == {"quay", "crane"}
    assert article.lead_image == images["crane"]
    blocks = [(block.block_type, block.value["image"].title, block.value["caption"])
              for block in article.body if block.block_type == "image"]
    assert blocks == [("image", "quay", "The boats at six"), ("image", "quay", ""), ("image", "crane", "")]
    again = run(export, media)
    assert again.created == {} and get_image_model().objects.count() == 2


def test_addresses_never_reach_outside_the_uploads_folder(tmp_path):
    _, media = uploads(tmp_path)
    assert local_file(media, "https://quay.example/wp-content/uploads/../secret.jpg") is None
    assert local_file(media, "https://quay.example/wp-content/uploads/%2e%2e/secret.jpg") is None
    assert local_file(media, "https://quay.example/wp-content/uploads/2022/02/quay-300x200.jpg")[0] == "2022/02/quay.jpg"


def test_old_upload_addresses_and_attachment_pages_lead_to_the_images(home, tmp_path, client):
    export, media = uploads(tmp_path)
    run(export, media)
    images = {image.title: image for image in get_image_model().objects.all()}
    quay, crane = images["quay"].file.url, images["crane"].file.url
    for address, target in (("/wp-content/uploads/2022/02/quay.jpg", quay),
                            ("/wp-content/uploads/2022/02/quay-640x480.jpg", quay),  # the size the post used
                            ("/wp-content/uploads/2022/02/crane.png", crane),
                            ("/?attachment_id=8", quay)):
        response = client.get(address)
        assert (response.status_code, response["Location"]) == (301, target), address
    assert client.get("/wp-content/uploads/2022/02/gone.jpg").status_code == 404


def test_a_failed_run_leaves_no_image_files_behind(home, tmp_path, settings):
    export, media = uploads(tmp_path)
    broken = tmp_path / "broken.xml"
    broken.write_text(EXPORT.replace("</channel>", "<item><title>x</title></chanel>"), encoding="utf-8")
    settings.MEDIA_ROOT = str(tmp_path / "media-root")
    checked = check_import_wordpress(path=export, media=media)
    checked.path = broken  # checked once, then broken: the import fails half-way, after making its images
    try:
        do_import_wordpress(checked=checked)
    except Exception as error:  # noqa: BLE001 -- which error is not the point: what is left behind is
        assert "mismatched tag" in str(error)
    else:
        raise AssertionError("the broken file was imported")
    assert get_image_model().objects.count() == 0
    left = [path for path in (tmp_path / "media-root").rglob("*") if path.is_file()]
    assert left == []
