"""The text search matches, indexed twice per article: the whole piece, and the part every reader may read."""

from django.db import models
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin


class TextPart(models.TextChoices):
    WHOLE = "whole", "The whole article"
    READABLE = "readable", "Title, standfirst and preview: what a reader stopped at the gate reads"


class ArticleTextQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class ArticleText(index.Indexed, models.Model):
    """One part of a published article's text, in Wagtail's search index.

    The gated words must never decide whether a reader who may not read them finds an article. Both parts go
    through the same backend (same tokenizer, stemming and ranking), so search can match each reader against
    the one part access.py lets them read, in one query; see results.py.
    """

    article = models.ForeignKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="+")
    part = models.CharField(max_length=10, choices=TextPart.choices)
    title = models.CharField(max_length=255)
    text = models.TextField(blank=True)

    objects = ArticleTextQuerySet.as_manager()

    # "title" is the field name the database backend ranks as a title; the boost is the one pages get.
    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("text"),
        index.FilterField("article"),
        index.FilterField("article_id"),
        index.FilterField("part"),
    ]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "part"], name="one_text_per_article_part")]

    def __str__(self):
        return f"{self.title} ({self.part})"
