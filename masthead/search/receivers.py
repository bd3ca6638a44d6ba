"""Keep the search app's index rows in step with publishing and with comments (connected in apps.py)."""

from django.db import connection, transaction
from django.db.models.signals import post_migrate, post_save
from wagtail.signals import page_published, page_unpublished

from masthead.articles.models import ArticlePage
from masthead.discussion.models import Comment
from masthead.search.actions import (
    do_forget_article_text,
    do_index_article_text,
    do_index_missing_articles,
    do_index_missing_comments,
)
from masthead.search.models import ArticleText, CommentText
from masthead.search.tasks import index_comment


def article_published(sender, instance, **kwargs):
    do_index_article_text(article=instance)


def article_unpublished(sender, instance, **kwargs):
    do_forget_article_text(article_id=instance.pk)


def comment_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    # Saves that leave the body alone (votes, status: read live at search time) need no new terms.
    if raw or (update_fields is not None and "body" not in update_fields):
        return
    # A task queued once the comment is committed: posting stays the few statements discussion keeps it to, and
    # the worker finds the comment. Should the process die in between, the next `migrate` indexes it.
    comment_id = instance.pk
    transaction.on_commit(lambda: index_comment.enqueue(comment_id=comment_id))


def index_missing_after_migrate(sender, **kwargs):
    # Articles and comments from before search kept its own rows (or loaded from a dump), or indexed by an older
    # analysis.py, get them on the next migrate; skipped when the plan stopped before this app's tables exist.
    tables = connection.introspection.table_names()
    if ArticleText._meta.db_table in tables:
        do_index_missing_articles()
    if CommentText._meta.db_table in tables:
        do_index_missing_comments()


def connect(app_config) -> None:
    page_published.connect(article_published, sender=ArticlePage, dispatch_uid="masthead.search.published")
    page_unpublished.connect(article_unpublished, sender=ArticlePage, dispatch_uid="masthead.search.unpublished")
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="masthead.search.comment_saved")
    post_migrate.connect(index_missing_after_migrate, sender=app_config, dispatch_uid="masthead.search.missing")
