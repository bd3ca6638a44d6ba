"""Fixtures shared by the newsletter tests."""

import pytest
from django.utils import timezone

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage

OPENING = "The tide tables were printed a week late this spring."
AFTER_THE_CUT = "The harbour master kept a second ledger in the lighthouse."


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def publish(section, django_capture_on_commit_callbacks):
    """Publish a new article as an editor would, running what waits for the commit (the send task)."""

    def publish_article(*, access_level=AccessLevel.PUBLIC, title="Low tide at the harbour", **kwargs):
        article = make_article(
            section=section,
            title=title,
            body=[
                paragraph(OPENING),
                paragraph("A second paragraph sets the scene."),
                {"type": "preview_cut", "value": None},
                paragraph(AFTER_THE_CUT),
            ],
            published_at=timezone.now(),
            publish=False,
            **kwargs,
        )
        article.access_level = access_level
        with django_capture_on_commit_callbacks(execute=True):
            article.save_revision().publish()
        return ArticlePage.objects.get(pk=article.pk)

    return publish_article
