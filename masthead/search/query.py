"""A reader's search box text turned into a backend query: words, and "quoted phrases" when the quotes pair up.

Only runs of letters and digits ever reach the backend, so no input (stray quotes, FTS operators, punctuation
only) can become a syntax error in the database's own query language.
"""

import re
from dataclasses import dataclass

from wagtail.search.query import And, Fuzzy, Phrase, PlainText

_WORD = re.compile(r"\w+")
_PAIRED_QUOTES = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...]  # every word, phrases' words included, for snippets and fuzzy search
    phrases: tuple[str, ...]
    loose_words: tuple[str, ...]

    def __bool__(self):
        return bool(self.words)

    def exact(self):
        """All words and phrases must match (the database backend ranks, so AND keeps results relevant)."""
        parts = [Phrase(phrase) for phrase in self.phrases]
        if self.loose_words:
            parts.append(PlainText(" ".join(self.loose_words), operator="and"))
        return parts[0] if len(parts) == 1 else And(parts)

    def fuzzy(self):
        return Fuzzy(" ".join(self.words), operator="and")


def parse_query(text: str) -> ParsedQuery:
    phrases = []
    for quoted in _PAIRED_QUOTES.findall(text):
        words = _WORD.findall(quoted)
        if len(words) > 1:
            phrases.append(" ".join(words))
    # A lone quote (unterminated) is just ignored: its words count as loose words.
    loose = _PAIRED_QUOTES.sub(lambda match: " " if len(_WORD.findall(match[1])) > 1 else match[1], text)
    loose_words = _WORD.findall(loose)
    words = [word for phrase in phrases for word in phrase.split()] + loose_words
    return ParsedQuery(words=tuple(words), phrases=tuple(phrases), loose_words=tuple(loose_words))
