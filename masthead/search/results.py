"""Search results a reader may see: each article matched against the one text part access.py lets them read;
authors and topics by name."""

from dataclasses import dataclass, field

from django.core.paginator import Page as ResultPage
from django.core.paginator import Paginator
from django.db import connection
from wagtail.search.backends import get_search_backend

from masthead.articles.models import ArticlePage, Author, Topic
from masthead.membership.access import Reader, Visibility, access_article
from masthead.membership.channels import visible_text
from masthead.search import analysis
from masthead.search.models import ArticleText, TextPart, own_index_available
from masthead.search.query import ParsedQuery
from masthead.search.snippets import snippet_for

PAGE_SIZE = 20
MAX_NAMES = 5
# Rows read from the index per search: an article can match in both parts, and matches in a part the reader may
# not use are dropped, so a page reads CANDIDATES_PER_PAGE rows per page up to it (page 2 reads 200), never
# more than MAX_CANDIDATES. When the rows run out at that window the count reads "more than".
CANDIDATES_PER_PAGE = 5 * PAGE_SIZE
MAX_CANDIDATES = 1000
# PostgreSQL ranks at most this many matching rows (models.MatchingQuerySet.matching): more, and a common word's
# query would read every matching row's terms.
MAX_RANKED = 2 * MAX_CANDIDATES


def candidate_window(page_number: int) -> int:
    return min(MAX_CANDIDATES, CANDIDATES_PER_PAGE * max(1, page_number))

# Which part of the text each visibility searches.
PART_FOR = {Visibility.ALL: TextPart.WHOLE, Visibility.PREVIEW: TextPart.READABLE}
# What access_article reads of an article, loaded for every candidate (the page of results loads the rest).
ACCESS_FIELDS = ("live", "access_level", "first_published_at")


@dataclass
class SearchResult:
    article: ArticlePage
    snippet: str
    is_gated: bool


@dataclass
class SearchResults:
    articles: list[SearchResult]
    authors: list[Author] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    page: ResultPage | None = None
    count: int = 0
    is_capped: bool = False  # more matches than MAX_CANDIDATES rows hold: `count` is a lower bound
    is_fuzzy: bool = False  # no exact match: these are the results of "did you mean" (views.py)

    def __len__(self):
        return self.count + len(self.authors) + len(self.topics)


def languages_for(filters: dict) -> tuple[str, ...]:
    return (filters["language"],) if filters.get("language") else analysis.LANGUAGES


def filtered_articles(filters: dict):
    """The live, public articles the filters keep (section, topic, author, language, publication dates)."""
    articles = ArticlePage.objects.live().public()
    if filters.get("section"):
        articles = articles.child_of(filters["section"])
    if filters.get("topic"):
        articles = articles.filter(topics=filters["topic"])
    if filters.get("author"):
        articles = articles.filter(article_authors__author=filters["author"])
    if filters.get("language"):
        articles = articles.filter(language=filters["language"])
    if filters.get("published_from"):
        articles = articles.filter(first_published_at__date__gte=filters["published_from"])
    if filters.get("published_to"):
        articles = articles.filter(first_published_at__date__lte=filters["published_to"])
    return articles


def fuzzy_search_available() -> bool:
    """Whether pg_trgm is there for "did you mean" to rank words by trigram similarity (suggestions.py)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _matching_articles(
    query: ParsedQuery, reader: Reader, policy, filters, window: int
) -> tuple[list[tuple[int, Visibility]], bool]:
    """Ids of the articles whose readable-to-this-reader part matches, in the backend's order of relevance.

    The backend matches both parts of every live article; the reader keeps a match only in the part access.py
    gives them (the whole piece, or title, standfirst and preview). So the gated words decide nothing for a
    reader stopped at the gate: not whether an article is listed, nor how many are, nor the order.
    """
    rows = ArticleText.objects.filter(article__in=filtered_articles(filters).values("pk")).only(
        "pk", "article_id", "part"
    )
    if own_index_available():
        rows = list(rows.matching(query.tsquery(languages_for(filters)), ranked=MAX_RANKED)[:window])
    else:
        rows = list(rows.search(query.exact(languages_for(filters)))[:window])
    articles = (
        ArticlePage.objects.filter(pk__in={row.article_id for row in rows})
        .only(*ACCESS_FIELDS)
        .prefetch_related("allowed_tiers")
        .in_bulk()
    )
    found, seen = [], set()
    for row in rows:
        article = articles.get(row.article_id)
        if article is None or row.article_id in seen:
            continue
        visibility = access_article(reader, article, policy=policy)
        if PART_FOR.get(visibility) != row.part:
            continue
        seen.add(row.article_id)
        found.append((row.article_id, visibility))
    return found, len(rows) == window


def _text_after_title(article: ArticlePage, visibility: Visibility) -> str:
    # The result shows the title above the snippet already.
    return visible_text(article, visibility).removeprefix(article.title).lstrip()


def search_names(query: ParsedQuery) -> tuple[list[Author], list[Topic]]:
    # Author and topic names are public: a plain match on the name, any word in any order.
    backend = get_search_backend()
    text = " ".join(query.words)
    authors = list(backend.search(text, Author, operator="and")[:MAX_NAMES])
    topics = list(backend.search(text, Topic, operator="and")[:MAX_NAMES])
    return authors, topics


def _result_page(found, page_number: int, query: ParsedQuery) -> tuple[ResultPage, list[SearchResult]]:
    page = Paginator(found, PAGE_SIZE).get_page(page_number)
    ids = [article_id for article_id, _ in page.object_list]
    articles = ArticlePage.objects.filter(pk__in=ids).for_listing().prefetch_related("allowed_tiers").in_bulk()
    results = []
    for article_id, visibility in page.object_list:
        article = articles[article_id]
        results.append(
            SearchResult(
                article=article,
                snippet=snippet_for(
                    _text_after_title(article, visibility), query.terms(article.language), article.language
                ),
                is_gated=visibility != Visibility.ALL,
            )
        )
    return page, results


def search_articles(
    query: ParsedQuery, reader: Reader, *, policy, filters: dict | None = None, page_number: int = 1
) -> SearchResults:
    filters = filters or {}
    if not query:
        return SearchResults(articles=[])
    window = candidate_window(page_number)
    found, is_capped = _matching_articles(query, reader, policy, filters, window)
    authors, topics = search_names(query) if not filters else ([], [])
    page, articles = _result_page(found, page_number, query)
    return SearchResults(
        articles=articles,
        authors=authors,
        topics=topics,
        page=page,
        count=len(found),
        is_capped=is_capped,
    )
