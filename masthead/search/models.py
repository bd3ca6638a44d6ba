"""What search matches, in its own index rows: each article twice (the whole piece, and the part every reader may
read), each comment once, and the vocabulary "did you mean" suggests from.

The indexed text is analysis.py's terms (folded, normalised, stemmed per language), never the text as written:
snippets and titles shown are cut from the articles and comments themselves."""

from django.conf import settings
from django.contrib.postgres.search import SearchQueryCombinable, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models.expressions import RawSQL
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin


class TextPart(models.TextChoices):
    WHOLE = "whole", "The whole article"
    READABLE = "readable", "Title, standfirst and preview: what a reader stopped at the gate reads"


def own_index_available() -> bool:
    """Whether the rows' own tsvector column (migration 0005, PostgreSQL) is searched rather than Wagtail's
    backend: on PostgreSQL, unless an OpenSearch/Elasticsearch server is configured."""
    return connection.vendor == "postgresql" and not settings.MASTHEAD_SEARCH_URL


class MatchingQuerySet(models.QuerySet):
    def matching(self, tsquery: SearchQueryCombinable, *, ranked: int | None = None):
        """Rows whose stored terms (column `search_vector`, PostgreSQL only) match `tsquery`, best first by
        PostgreSQL's rank; with `ranked`, only the first that many matches
        are ranked and returned."""
        vector = RawSQL(
            f"{connection.ops.quote_name(self.model._meta.db_table)}.search_vector", [],
            output_field=SearchVectorField(),
        )
        matches = self.alias(search_vector=vector).filter(search_vector=tsquery)
        if ranked is not None:
            # ts_rank reads each match's whole vector: rank only the first `ranked` matches the index gives.
            # (Ids fetched first: the column is named through RawSQL, which a subquery's aliases would not follow.)
            # One array parameter, not one parameter per id.
            ids = list(matches.values_list("pk", flat=True)[:ranked])
            matches = self.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
        return matches.alias(rank=SearchRank(vector, tsquery)).order_by("-rank", "pk")


class ArticleTextQuerySet(SearchableQuerySetMixin, MatchingQuerySet):
    pass


class ArticleText(index.Indexed, models.Model):
    """One part of a published article's text, in Wagtail's search index.

    The gated words must never decide whether a reader who may not read them finds an article. Both parts go
    through the same backend (same tokenizer, stemming and ranking), so search can match each reader against
    the one part access.py lets them read, in one query; see results.py.
    """

    article = models.ForeignKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="+")
    part = models.CharField(max_length=10, choices=TextPart.choices)
    # The title's and the text's index terms (analysis.analysed), not the words as written.
    title = models.TextField()
    text = models.TextField(blank=True)
    # analysis.py's version the terms were made with; older rows are made again after `migrate`.
    analysis_version = models.PositiveSmallIntegerField(default=0)

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


class CommentTextQuerySet(SearchableQuerySetMixin, MatchingQuerySet):
    pass


class CommentText(index.Indexed, models.Model):
    """A comment's index terms, in its article's language. Whether it is shown is read from the comment itself
    at search time (its status may change without a save signal), so a row exists for every comment."""

    comment = models.OneToOneField("discussion.Comment", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("articles.ArticlePage", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    analysis_version = models.PositiveSmallIntegerField(default=0)

    objects = CommentTextQuerySet.as_manager()

    search_fields = [
        index.SearchField("text"),
        index.FilterField("comment"),
        index.FilterField("comment_id"),
        index.FilterField("article"),
        index.FilterField("article_id"),
    ]

    def __str__(self):
        return f"Comment {self.comment_id}"


class VocabularyWord(models.Model):
    """A folded word readers may read (titles, standfirsts, previews, author names and topics): what "did you
    mean" suggests. Never a word only found past the gate, so a suggestion reveals nothing gated."""

    word = models.CharField(max_length=100, unique=True)

    def __str__(self):
        return self.word
