"""Search results a reader may see: each article matched against the one text part access.py lets them read."""

import re
from dataclasses import dataclass

from django.db import connection
from wagtail.search.backends import get_search_backend

from masthead.articles.models import ArticlePage, Author
from masthead.membership.access import Reader, Visibility, access_article
from masthead.membership.channels import visible_text
from masthead.search.models import ArticleText, TextPart
from masthead.search.query import ParsedQuery

MAX_RESULTS = 50
MAX_AUTHORS = 5
# Rows read from the index per search: an article can match in both parts, and gated matches are dropped.
MAX_CANDIDATES = 4 * MAX_RESULTS
SNIPPET_CHARS = 200

# Which part of the text each visibility searches.
PART_FOR = {Visibility.ALL: TextPart.WHOLE, Visibility.PREVIEW: TextPart.READABLE}


@dataclass
class SearchResult:
    article: ArticlePage
    snippet: str
    is_gated: bool


@dataclass
class SearchResults:
    articles: list[SearchResult]
    authors: list[Author]
    is_fuzzy: bool = False  # no exact match: these are near matches (typo tolerance)

    def __len__(self):
        return len(self.articles) + len(self.authors)


def snippet_for(text: str, terms: list[str]) -> str:
    """About SNIPPET_CHARS of `text` around the first term found (as a whole word if it is one), cut at spaces."""
    positions = []
    for term in terms:
        match = re.search(rf"\b{re.escape(term)}\b", text, re.IGNORECASE) or re.search(
            re.escape(term), text, re.IGNORECASE
        )
        if match:
            positions.append(match.start())
    start = max(0, min(positions) - SNIPPET_CHARS // 3) if positions else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    snippet = text[start:end].strip()
    return ("… " if start else "") + snippet + (" …" if end < len(text) else "")


def fuzzy_search_available() -> bool:
    """Typo tolerance is Wagtail's `Fuzzy` query, which only its PostgreSQL backend runs (with pg_trgm)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _matching_articles(backend_query, reader: Reader, policy) -> list[tuple[ArticlePage, Visibility]]:
    """Articles whose readable-to-this-reader part matches, in the backend's order of relevance.

    The backend matches both parts of every live article; the reader keeps a match only in the part access.py
    gives them (the whole piece, or title, standfirst and preview). So the gated words decide nothing for a
    reader stopped at the gate: not whether an article is listed, nor how many are, nor the order.
    """
    live_articles = ArticlePage.objects.live().public().values("pk")
    rows = list(
        ArticleText.objects.filter(article__in=live_articles)
        .only("pk", "article_id", "part")
        .search(backend_query)[:MAX_CANDIDATES]
    )
    article_ids = {row.article_id for row in rows}
    articles = (
        ArticlePage.objects.filter(pk__in=article_ids)
        .for_listing()
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
        found.append((article, visibility))
        if len(found) == MAX_RESULTS:
            break
    return found


def _text_after_title(article: ArticlePage, visibility: Visibility) -> str:
    # The result shows the title above the snippet already.
    return visible_text(article, visibility).removeprefix(article.title).lstrip()


def search_authors(query: ParsedQuery) -> list[Author]:
    # Author names are public: a plain match on the name, any word in any order.
    return list(get_search_backend().search(" ".join(query.words), Author, operator="and")[:MAX_AUTHORS])


def search_articles(query: ParsedQuery, reader: Reader, *, policy) -> SearchResults:
    if not query:
        return SearchResults(articles=[], authors=[])
    matches = _matching_articles(query.exact(), reader, policy)
    authors = search_authors(query)
    is_fuzzy = False
    if not matches and not authors and fuzzy_search_available():
        matches = _matching_articles(query.fuzzy(), reader, policy)
        is_fuzzy = bool(matches)
    terms = list(query.words)
    return SearchResults(
        articles=[
            SearchResult(
                article=article,
                snippet=snippet_for(_text_after_title(article, visibility), terms),
                is_gated=visibility != Visibility.ALL,
            )
            for article, visibility in matches
        ],
        authors=authors,
        is_fuzzy=is_fuzzy,
    )
