"""Writes to the search app's own index rows: an article's text parts, kept in step with what is published."""

from django.db import transaction

from masthead.articles.blocks import raw_block_text
from masthead.articles.models import ArticlePage
from masthead.search.models import ArticleText, TextPart


def text_parts(article: ArticlePage) -> dict[str, str]:
    """The standfirst and body text of each part (the title is indexed on its own)."""
    preview, gated = article.split_raw_body()
    readable = [article.standfirst] + [raw_block_text(raw) for raw in preview]
    rest = [raw_block_text(raw) for raw in gated]
    return {
        TextPart.READABLE: " ".join(filter(None, readable)),
        TextPart.WHOLE: " ".join(filter(None, readable + rest)),
    }


def do_index_article_text(*, article: ArticlePage) -> None:
    """Store (and so index, through Wagtail's save signal) both parts of the article as it is now."""
    with transaction.atomic():
        for part, text in text_parts(article).items():
            ArticleText.objects.update_or_create(
                article_id=article.pk, part=part, defaults={"title": article.title, "text": text}
            )


def do_forget_article_text(*, article_id: int) -> None:
    # One by one, so that Wagtail's delete signal takes each row out of the index too.
    for row in ArticleText.objects.filter(article_id=article_id):
        row.delete()


def do_index_missing_articles() -> int:
    """Index the live articles that have no text rows yet (articles published before this app indexed them)."""
    missing = ArticlePage.objects.live().exclude(
        pk__in=ArticleText.objects.filter(part=TextPart.READABLE).values("article_id")
    )
    count = 0
    for article in missing.iterator():
        do_index_article_text(article=article)
        count += 1
    return count
