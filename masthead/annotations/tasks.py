"""Background work for inline feedback: re-attaching an article's passages after it is published."""

from django_tasks import task

from masthead.annotations.actions import do_reanchor_article
from masthead.articles.models import ArticlePage


@task()
def reanchor_article(article_id: int) -> dict:
    """Re-resolve every passage of the article against its live revision; returns the count in each state."""
    article = ArticlePage.objects.filter(pk=article_id).first()
    if article is None:
        return {}
    return do_reanchor_article(article=article)
