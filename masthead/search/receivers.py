"""Keep the search app's article text in step with publishing (connected in apps.py)."""

from django.db import connection
from django.db.models.signals import post_migrate
from wagtail.signals import page_published, page_unpublished

from masthead.articles.models import ArticlePage
from masthead.search.actions import do_forget_article_text, do_index_article_text, do_index_missing_articles
from masthead.search.models import ArticleText


def article_published(sender, instance, **kwargs):
    do_index_article_text(article=instance)


def article_unpublished(sender, instance, **kwargs):
    do_forget_article_text(article_id=instance.pk)


def index_missing_after_migrate(sender, **kwargs):
    # Articles published before search kept its own rows (or loaded from a dump) get them on the next migrate;
    # skipped when the plan stopped before this app's table exists (migrating backwards).
    if ArticleText._meta.db_table in connection.introspection.table_names():
        do_index_missing_articles()


def connect(app_config) -> None:
    page_published.connect(article_published, sender=ArticlePage, dispatch_uid="masthead.search.published")
    page_unpublished.connect(article_unpublished, sender=ArticlePage, dispatch_uid="masthead.search.unpublished")
    post_migrate.connect(index_missing_after_migrate, sender=app_config, dispatch_uid="masthead.search.missing")
