"""Text to search terms, per language: the same pure functions for indexed text and for queries.

Every search backend (SQLite FTS5, PostgreSQL, OpenSearch) indexes the terms made here, so a query finds the
same articles whichever backend runs it:

- Arabic: diacritics (tashkeel), superscript alef and Quranic marks stripped, tatweel removed, alef forms
  (أ إ آ ٱ) made ا, ى made ي, ة made ه. No stemming (light Arabic stemmers take off prefixes such as ال that
  are also the start of roots, and make more wrong matches than they save).
- French: lower case, accents folded (é → e, ç → c, œ → oe), then the Snowball French stemmer. Folding comes
  first so that "electricite" and "électricité" give one term.
- English: lower case, accents folded, then the Snowball English (Porter 2) stemmer.

Any language also folds what the others would: a French word quoted in an English article folds its accents.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

LANGUAGES = ("en", "fr", "ar")

# A word: letters and digits, with the marks written on them (Latin accents in decomposed text, Arabic
# diacritics and tatweel), which `\w` alone would cut words at.
WORD = re.compile(r"(?:\w|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640])+")
# Arabic harakat, tanwin, shadda, sukun, superscript alef, and the Quranic annotation marks.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_TATWEEL = "\u0640"
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_STEMMERS = {"en": "english", "fr": "french"}


def normalise_arabic(text: str) -> str:
    return _ARABIC_MARKS.sub("", text).replace(_TATWEEL, "").translate(_ARABIC_LETTERS)


def fold(text: str) -> str:
    """Lower case, Arabic normalised, Latin accents taken off (combining marks dropped after NFKD)."""
    text = normalise_arabic(text.lower().translate(_LIGATURES))
    decomposed = unicodedata.normalize("NFKD", text)
    # Only Latin letters lose their marks this way; Arabic marks were dealt with above, and other scripts'
    # combining marks (Devanagari vowel signs) are letters' parts, so they stay.
    folded = "".join(
        char
        for char, previous in zip(decomposed, " " + decomposed)
        if not (unicodedata.combining(char) and previous.isascii())
    )
    return unicodedata.normalize("NFC", folded)


@lru_cache(maxsize=4)
def _stemmer(language: str):
    name = _STEMMERS.get(language)
    return snowballstemmer.stemmer(name) if name else None


def words(text: str) -> list[str]:
    """The folded words of `text`, in order (what snippets compare and the vocabulary stores)."""
    return WORD.findall(fold(text))


@lru_cache(maxsize=20_000)
def _stem(language: str, word: str) -> str:
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


def term(word: str, language: str) -> str:
    """The index term of one folded word in `language`."""
    return _stem(language, word)


def terms(text: str, language: str) -> list[str]:
    """The index terms of `text` in `language`, in order (phrases stay phrases)."""
    return [_stem(language, word) for word in words(text)]


def analysed(text: str, language: str) -> str:
    """`text` as the search index stores it: its terms, separated by spaces."""
    return " ".join(terms(text, language))

# Raised whenever the terms made for the same text change: rows made by an older version are made again.
VERSION = 1
