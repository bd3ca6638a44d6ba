""""Did you mean": each query word the vocabulary lacks, replaced by the vocabulary's closest word.

The vocabulary (models.VocabularyWord) holds only words every reader may read, so no suggestion spells out a
gated word; the view shows a suggestion only when it finds something for that reader. Closeness is pg_trgm's
trigram similarity on PostgreSQL (with the extension) and difflib's ratio elsewhere, over the words that start
with the same letter and are about as long.
"""

import difflib

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models.functions import Length

from masthead.search import analysis
from masthead.search.models import VocabularyWord
from masthead.search.query import ParsedQuery
from masthead.search.results import fuzzy_search_available

MIN_SIMILARITY = 0.3  # pg_trgm's own default threshold
MIN_RATIO = 0.75  # difflib
MAX_CANDIDATES = 2000


def _closest_by_trigrams(word: str) -> str | None:
    return (
        VocabularyWord.objects.annotate(similarity=TrigramSimilarity("word", word))
        .filter(similarity__gte=MIN_SIMILARITY)
        .order_by("-similarity", "word")
        .values_list("word", flat=True)
        .first()
    )


def _closest_by_ratio(word: str) -> str | None:
    candidates = (
        VocabularyWord.objects.annotate(length=Length("word"))
        .filter(word__startswith=word[0], length__gte=len(word) - 2, length__lte=len(word) + 2)
        .values_list("word", flat=True)[:MAX_CANDIDATES]
    )
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=MIN_RATIO)
    return close[0] if close else None


def suggestion_for(query: ParsedQuery) -> str | None:
    """The query with its unknown words replaced by known ones, or None when every word is known or nothing is
    close."""
    words = analysis.words(" ".join(query.words))
    candidates = [word for word in words if len(word) > 2 and not word.isdigit()]
    if not candidates:
        return None
    known = set(VocabularyWord.objects.filter(word__in=candidates).values_list("word", flat=True))
    unknown = [word for word in candidates if word not in known]
    if not unknown:
        return None
    closest = _closest_by_trigrams if fuzzy_search_available() else _closest_by_ratio
    replaced = {word: closest(word) for word in unknown}
    if not any(replaced.values()):
        return None
    return " ".join(replaced.get(word) or word for word in words)
