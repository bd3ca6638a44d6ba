"""A reader's search box text turned into a backend query: words, and "quoted phrases" when the quotes pair up.

Only runs of letters and digits ever reach the backend, so no input (stray quotes, FTS operators, punctuation
only) can become a syntax error in the database's own query language. The index holds analysis.py's terms, made
in each article's language; a query's language is unknown, so it is analysed in each language searched and an
article matches when all its words match in one of them.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from wagtail.search.query import And, Or, Phrase, PlainText

from masthead.search import analysis

# PostgreSQL's configuration for the rows' own tsvector (migration 0005): it leaves analysis.py's terms as they are
# but for English stop words, as Wagtail's backend did.
POSTGRES_CONFIG = "english"


def _words(text: str) -> list[str]:
    # Marks with no letter under them fold to nothing: they are no word.
    return [word for word in analysis.WORD.findall(text) if analysis.words(word)]
_PAIRED_QUOTES = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...]  # every word, phrases' words included, for snippets and fuzzy search
    phrases: tuple[str, ...]
    loose_words: tuple[str, ...]

    def __bool__(self):
        return bool(self.words)

    def exact_in(self, language: str):
        """All words and phrases must match (the database backend ranks, so AND keeps results relevant)."""
        parts = [Phrase(analysis.analysed(phrase, language)) for phrase in self.phrases]
        if self.loose_words:
            parts.append(PlainText(analysis.analysed(" ".join(self.loose_words), language), operator="and"))
        return parts[0] if len(parts) == 1 else And(parts)

    def exact(self, languages=analysis.LANGUAGES):
        """`exact_in` for each language whose analysis gives other terms, any of them matching."""
        variants = {}
        for language in languages:
            variants.setdefault(self.terms(language), self.exact_in(language))
        queries = list(variants.values())
        return queries[0] if len(queries) == 1 else Or(queries)

    def tsquery_in(self, language: str) -> SearchQuery:
        parts = [
            SearchQuery(analysis.analysed(phrase, language), search_type="phrase", config=POSTGRES_CONFIG)
            for phrase in self.phrases
        ]
        if self.loose_words:
            loose = analysis.analysed(" ".join(self.loose_words), language)
            parts.append(SearchQuery(loose, search_type="plain", config=POSTGRES_CONFIG))
        combined = parts[0]
        for part in parts[1:]:
            combined &= part
        return combined

    def tsquery(self, languages=analysis.LANGUAGES) -> SearchQuery:
        """`exact` as one PostgreSQL tsquery: each language's terms AND-ed, the variants OR-ed, so one indexed
        match ranks every row once (rather than one search per variant, scores summed)."""
        variants = {}
        for language in languages:
            variants.setdefault(self.terms(language), self.tsquery_in(language))
        queries = list(variants.values())
        combined = queries[0]
        for query in queries[1:]:
            combined |= query
        return combined

    def terms(self, language: str) -> tuple[str, ...]:
        return tuple(analysis.terms(" ".join(self.words), language))


def parse_query(text: str) -> ParsedQuery:
    phrases = []
    for quoted in _PAIRED_QUOTES.findall(text):
        words = _words(quoted)
        if len(words) > 1:
            phrases.append(" ".join(words))
    # A lone quote (unterminated) is just ignored: its words count as loose words.
    loose = _PAIRED_QUOTES.sub(lambda match: " " if len(_words(match[1])) > 1 else match[1], text)
    loose_words = _words(loose)
    words = [word for phrase in phrases for word in phrase.split()] + loose_words
    return ParsedQuery(words=tuple(words), phrases=tuple(phrases), loose_words=tuple(loose_words))
