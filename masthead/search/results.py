"""Search results a reader may see: the backend's matches, kept only where the match is in readable text."""

import re
from dataclasses import dataclass

from masthead.articles.models import ArticlePage
from masthead.membership.access import Reader, Visibility, access_article
from masthead.membership.channels import visible_text

MAX_RESULTS = 50
SNIPPET_CHARS = 200


@dataclass
class SearchResult:
    article: ArticlePage
    snippet: str
    is_gated: bool


def query_terms(query: str) -> list[str]:
    return [term.lower() for term in re.findall(r"\w+", query)]


def snippet_for(text: str, terms: list[str]) -> str:
    """About SNIPPET_CHARS of `text` around the first term found, cut at word boundaries."""
    lowered = text.lower()
    positions = [lowered.find(term) for term in terms if lowered.find(term) >= 0]
    start = max(0, min(positions) - SNIPPET_CHARS // 3) if positions else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    snippet = text[start:end].strip()
    return ("… " if start else "") + snippet + (" …" if end < len(text) else "")


def search_articles(query: str, reader: Reader, *, policy) -> list[SearchResult]:
    """Matches for `query`, each judged by access.py against the text this reader may read.

    The backend indexes whole bodies, so a match can come from the gated part. Such a match is dropped unless
    every term also appears in the readable text: otherwise the result list itself would reveal gated words.
    """
    terms = query_terms(query)
    if not terms:
        return []
    matches = ArticlePage.objects.live().public().search(query, operator="and")[:MAX_RESULTS]
    pks = [match.pk for match in matches]
    articles = ArticlePage.objects.filter(pk__in=pks).prefetch_related("allowed_tiers").in_bulk()
    results = []
    for pk in pks:
        article = articles.get(pk)
        if article is None:
            continue
        visibility = access_article(reader, article, policy=policy)
        if visibility == Visibility.NOTHING:
            continue
        text = visible_text(article, visibility)
        if visibility != Visibility.ALL and not all(term in text.lower() for term in terms):
            continue
        results.append(
            SearchResult(
                article=article, snippet=snippet_for(text, terms), is_gated=visibility != Visibility.ALL
            )
        )
    return results
