"""Snippets: about SNIPPET_CHARS of text a reader may read, around the first word that matched, matches marked.

A word is marked when its term (analysis.py, in the text's language) is one of the query's, so "électricité"
is marked for the query "electricite" and "houses" for "house", exactly as the index matched them.
"""

from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.search import analysis

SNIPPET_CHARS = 200


@lru_cache(maxsize=50_000)
def _terms_of(word: str, language: str) -> tuple[str, ...]:
    return tuple(analysis.terms(word, language))


def _is_match(word: str, query_terms: frozenset[str], language: str) -> bool:
    return any(term in query_terms for term in _terms_of(word, language))


def _cut(text: str, first_match: int | None) -> tuple[int, int]:
    start = max(0, first_match - SNIPPET_CHARS // 3) if first_match is not None else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, min(end, len(text))


def snippet_for(text: str, query_terms, language: str = "en") -> SafeString:
    """The snippet of `text` (plain text the reader may read) for a query's terms, as escaped HTML with
    <mark> around each matching word."""
    query_terms = frozenset(query_terms)
    words = list(analysis.WORD.finditer(text))
    first = next((word.start() for word in words if _is_match(word[0], query_terms, language)), None)
    start, end = _cut(text, first)
    pieces, position = [], start
    for word in words:
        if word.start() < start or word.end() > end:
            continue
        pieces.append(escape(text[position : word.start()]))
        if _is_match(word[0], query_terms, language):
            pieces.append(f"<mark>{escape(word[0])}</mark>")
        else:
            pieces.append(escape(word[0]))
        position = word.end()
    pieces.append(escape(text[position:end]))
    html = "".join(pieces).strip()
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))
