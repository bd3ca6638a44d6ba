"""Comments found by their words: a reader finds those shown under articles whose discussion they may read
(membership.access.may_read_discussion decides), a moderator finds every comment, held and spam included."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page as ResultPage
from django.core.paginator import Paginator
from django.utils.html import strip_tags

from masthead.articles.models import ArticlePage
from masthead.discussion.models import Comment
from masthead.search.models import CommentText, own_index_available
from masthead.search.query import ParsedQuery
from masthead.search.results import ACCESS_FIELDS, PAGE_SIZE, candidate_window, filtered_articles, languages_for
from masthead.search.snippets import snippet_for

COMMENTS_ON_ARTICLES_PAGE = 5
# Rows read for the few comments under the articles: past it the count reads "more than" (kind=comments pages on).
COMMENTS_WINDOW_ON_ARTICLES_PAGE = 4 * COMMENTS_ON_ARTICLES_PAGE


@dataclass
class CommentResult:
    comment: Comment
    article: ArticlePage
    snippet: str


@dataclass
class CommentResults:
    comments: list[CommentResult]
    page: ResultPage | None = None
    count: int = 0
    is_capped: bool = False


def _candidates(query: ParsedQuery, filters: dict, *, moderator: bool, window: int):
    rows = CommentText.objects.all()
    if moderator:
        # Every comment, under drafts and unpublished articles too, unless a filter narrows the articles.
        if filters:
            rows = rows.filter(article__in=filtered_articles(filters).values("pk"))
    else:
        rows = rows.filter(
            article__in=filtered_articles(filters).values("pk"),
            comment__in=Comment.objects.visible().filter(is_deleted=False).values("pk"),
        )
    rows = rows.only("pk", "comment_id", "article_id")
    if own_index_available():
        # Comments are short: ranking every match reads little.
        rows = rows.matching(query.tsquery(languages_for(filters)))
    else:
        rows = rows.search(query.exact(languages_for(filters)))
    return list(rows[:window])


def search_comments(
    query: ParsedQuery,
    *,
    may_read: Callable[[ArticlePage], bool],
    moderator: bool = False,
    filters: dict | None = None,
    page_number: int = 1,
    page_size: int = PAGE_SIZE,
    window: int | None = None,
) -> CommentResults:
    """Comments matching `query`, best first; `may_read(article)` says whether this reader may read an article's
    discussion (ignored for a moderator)."""
    filters = filters or {}
    if not query:
        return CommentResults(comments=[])
    window = window or candidate_window(page_number)
    rows = _candidates(query, filters, moderator=moderator, window=window)
    articles = (
        ArticlePage.objects.filter(pk__in={row.article_id for row in rows})
        .only("title", "url_path", "language", *ACCESS_FIELDS)
        .prefetch_related("allowed_tiers")
        .in_bulk()
    )
    allowed = {pk for pk, article in articles.items() if moderator or may_read(article)}
    found = [(row.comment_id, row.article_id) for row in rows if row.article_id in allowed]
    page = Paginator(found, page_size).get_page(page_number)
    comments = Comment.objects.filter(pk__in=[pk for pk, _ in page.object_list]).select_related("author").in_bulk()
    results = []
    for comment_id, article_id in page.object_list:
        comment, article = comments[comment_id], articles[article_id]
        text = strip_tags(comment.body_html)
        results.append(
            CommentResult(
                comment=comment,
                article=article,
                snippet=snippet_for(text, query.terms(article.language), article.language),
            )
        )
    return CommentResults(comments=results, page=page, count=len(found), is_capped=len(rows) == window)
