"""What the annotations app does when other apps say something happened (connected in AnnotationsConfig)."""

from functools import partial

from django.db import transaction

from masthead.annotations.tasks import reanchor_article
from masthead.articles.models import ArticlePage


def reanchor_after_publish(sender, instance, revision=None, **kwargs):
    """Every publish of an article re-attaches its passages to the new text, in a task after the commit."""
    if not issubclass(sender, ArticlePage):
        return
    transaction.on_commit(partial(reanchor_article.enqueue, article_id=instance.pk))
