"""What the WordPress import remembers: each run, and which WordPress object became which masthead object."""

from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    source = models.CharField(max_length=500, help_text="The WordPress site's address, from the export.")
    file_name = models.CharField(max_length=500)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True, help_text="When `import-wordpress --undo` removed it.")

    def __str__(self):
        return f"Import of {self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"


class ImportedKind(models.TextChoices):
    AUTHOR = "author", "Author"
    SECTION = "section", "Section (from a category)"
    TOPIC = "topic", "Topic (from a category or tag)"
    ARTICLE = "article", "Article (from a post)"
    PAGE = "page", "Plain page (from a page)"
    COMMENT = "comment", "Comment"
    FEEDBACK = "feedback", "Feedback point (from a wpDiscuz inline feedback shortcode)"
    IMAGE = "image", "Image (from the uploads folder)"
    REDIRECT = "redirect", "Redirect (from an old address, to anything but a page)"


class ImportedObject(models.Model):
    """One WordPress object already imported, so that running the import again adds nothing twice."""

    source = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=ImportedKind.choices)
    wp_key = models.CharField(max_length=300, help_text="The WordPress id, or login or slug where there is none.")
    object_id = models.PositiveBigIntegerField()
    # An author's e-mail address from the export: private, kept for matching and never shown to readers.
    email = models.EmailField(blank=True)
    # A post's or page's post_modified_gmt when it was imported or last refreshed (`--update`).
    wp_modified = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="imported_objects")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "wp_key"], name="wordpress_object_imported_once"),
            models.CheckConstraint(condition=models.Q(kind__in=ImportedKind.values), name="wordpress_kind_known"),
        ]

    def __str__(self):
        return f"WordPress {self.kind} {self.wp_key} -> {self.object_id}"
