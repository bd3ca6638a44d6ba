"""Anchor a reader's selection to a passage of an article and find that passage again after the text changes.

Pure functions, no Django: text in, position out. The discussion app stores what `select_in_body` returns and
calls `reanchor_in_body` on every publish.

The model (W3C Web Annotation, https://www.w3.org/TR/annotation-model/#selectors)
    An anchor is a block id of the article's StreamField body plus two selectors over that block's plain text:
    a `TextPositionSelector` (start/end, end exclusive, counted in Python `str` characters, i.e. code points)
    and a `TextQuoteSelector` (the exact passage and up to `CONTEXT_LENGTH` = 32 characters of prefix and
    suffix, fewer at the start or end of the block).

Plain text of a block (`block_plain_text`)
    A paragraph's rich text is reduced to the text of its text nodes in document order, entities decoded and
    inline mark-up (bold, italic, links, sub/superscript) dropped, with one "\\n" between block-level elements
    (p, li, h2...) and one for each <br>. Whitespace inside text nodes is kept as it is, so the offsets match
    what a browser script counts over the same text nodes. Section headings are anchorable as their text,
    block quotes as their quote (not the attribution). Pull quotes repeat a sentence of the article and are
    hidden from assistive technology, images and embeds carry no body text: none of them can be anchored.

Selections across blocks are refused (`SelectionAcrossBlocks`), not split: a comment is about one passage,
    and a passage that spans a heading and a paragraph, or two paragraphs, would need two anchors that can be
    orphaned separately, which readers would find baffling. The reader is asked to select within one
    paragraph.

Limits
    A selection is trimmed of leading and trailing whitespace and must then be non-empty and at most
    `MAX_QUOTE_LENGTH` = 2,000 characters (about 300 words, a long paragraph): longer selections are comments
    on the article, not on a passage, and would make every revision's re-anchoring slow.

Re-anchoring cascade (`reanchor`), against the new text of the same block
    Every candidate place is judged by its context: the share of the stored prefix and suffix that still
    surrounds it (half a point per side), the number of characters that agree (quote plus context: at least
    `MIN_EVIDENCE`, so "The" opening some paragraph is not mistaken for "The" that opened a deleted one), and
    word alignment (a passage that began and ended on word boundaries may not now start or stop inside a
    word).
    1. Exact position: the new text still holds the exact quote at the stored offsets, and its context agrees.
    2. Quote with context: every occurrence of the quote in the normalised new text is scored by its context;
       the best context wins, then the smallest distance from the old position. An occurrence with too little
       context (`MIN_CONTEXT_SCORE`) is not taken: a sentence that survives only in another place (a pull
       quote, a repeated phrase) is a different passage.
    3. Fuzzy: the quote's first and last 32 characters, and the context's, are located near the old position
       with diff-match-patch's bitap `match_main` (the algorithm works on 32-character patterns, so long
       quotes are located by their ends, never whole), the candidate spans are snapped to the context, and
       each is verified with a bounded edit distance against the whole quote. A candidate needs most of its
       context (`MIN_FUZZY_CONTEXT_SCORE`) and a quote similarity (1 - edit distance / length) of
       `MIN_QUOTE_SIMILARITY`, or `MIN_QUOTE_SIMILARITY_IN_PLACE` when all its context is intact; otherwise
       the anchor is orphaned rather than attached to the wrong words. Confidence = 0.7 x quote similarity
       + 0.3 x context score.
    4. Orphaned.
    `reanchor_in_body` runs this in the anchor's own block, then looks for the exact quote, with context, in
    the other blocks (a split paragraph), never fuzzily.
    Matching is done on normalised text (Unicode NFC, whitespace runs as one space, curly quotes as straight,
    soft hyphens and zero-width spaces dropped); offsets are mapped back to the original text.
"""

from __future__ import annotations

import bisect
import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from diff_match_patch import diff_match_patch

CONTEXT_LENGTH = 32
MAX_QUOTE_LENGTH = 2_000
# A re-attached passage can have grown (an editor added words inside it), so selectors read back from storage
# may be longer than a new selection could be; never by more than the fuzzy similarity bound allows.
MAX_STORED_QUOTE_LENGTH = 2 * MAX_QUOTE_LENGTH
ANCHORABLE_BLOCK_TYPES = ("paragraph", "section_heading", "block_quote")

# Bitap's bit-parallel search is defined for patterns of at most this many characters.
BITAP_PATTERN_LENGTH = 32
# Fuzzy search looks this far either side of where the passage was: a passage that both moved far and
# changed is left orphaned, and the bitap scan stays proportional to the window, not the article.
FUZZY_SEARCH_RADIUS = 2_000
# How far a fuzzy span's ends may be moved to sit exactly against the surviving context.
SNAP_DISTANCE = 6

# Half the context: one side intact, or most of both. Less lets a repeated phrase elsewhere pass for the
# passage.
MIN_CONTEXT_SCORE = 0.5
# A fuzzy match must keep one side of its context whole and half the other: the passage itself changed, so
# its surroundings are what prove it is still the same passage. It must then be MIN_QUOTE_SIMILARITY alike,
# or only MIN_QUOTE_SIMILARITY_IN_PLACE when all of its context is intact (it sits exactly where it was,
# between the same words, and a typo in a two-letter word is half of it).
MIN_FUZZY_CONTEXT_SCORE = 0.75
MIN_QUOTE_SIMILARITY_IN_PLACE = 0.5
# Characters that must agree (quote plus context) before a passage found away from its old position counts:
# a three-letter word at the start of some paragraph is not evidence of anything.
MIN_EVIDENCE = 32
MIN_QUOTE_SIMILARITY = 0.75
QUOTE_WEIGHT = 0.7


class AnchoringError(ValueError):
    """A selection or a stored selector cannot be used; the message says why, in words a reader can act on."""


class EmptySelection(AnchoringError):
    pass


class SelectionReversed(AnchoringError):
    pass


class SelectionOutOfRange(AnchoringError):
    pass


class QuoteTooLong(AnchoringError):
    pass


class SelectionAcrossBlocks(AnchoringError):
    pass


class UnknownBlock(AnchoringError):
    pass


class SelectorsDisagree(AnchoringError):
    pass


@dataclass(frozen=True)
class TextPositionSelector:
    start: int
    end: int

    def to_web_annotation(self) -> dict:
        return {"type": "TextPositionSelector", "start": self.start, "end": self.end}


@dataclass(frozen=True)
class TextQuoteSelector:
    exact: str
    prefix: str = ""
    suffix: str = ""

    def to_web_annotation(self) -> dict:
        return {
            "type": "TextQuoteSelector",
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }


@dataclass(frozen=True)
class Selectors:
    position: TextPositionSelector
    quote: TextQuoteSelector

    def to_web_annotation(self) -> list[dict]:
        return [self.position.to_web_annotation(), self.quote.to_web_annotation()]

    @classmethod
    def from_web_annotation(cls, selectors: object) -> Selectors:
        """Read back a list of selector dicts (as stored or exported); bad input raises AnchoringError."""
        if not isinstance(selectors, list):
            raise AnchoringError("Selectors must be a list.")
        by_type = {item.get("type"): item for item in selectors if isinstance(item, dict)}
        position, quote = by_type.get("TextPositionSelector"), by_type.get("TextQuoteSelector")
        if position is None or quote is None:
            raise AnchoringError("Both a TextPositionSelector and a TextQuoteSelector are required.")
        start, end = position.get("start"), position.get("end")
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in (start, end)):
            raise AnchoringError("A TextPositionSelector's start and end must be whole numbers.")
        exact, prefix, suffix = quote.get("exact"), quote.get("prefix", ""), quote.get("suffix", "")
        if not all(isinstance(value, str) for value in (exact, prefix, suffix)):
            raise AnchoringError("A TextQuoteSelector's exact, prefix and suffix must be text.")
        _check_span(start, end, None)
        _check_quote_length(exact, MAX_STORED_QUOTE_LENGTH)
        if len(prefix) > CONTEXT_LENGTH or len(suffix) > CONTEXT_LENGTH:
            raise AnchoringError(f"A quote's prefix and suffix hold at most {CONTEXT_LENGTH} characters.")
        return cls(TextPositionSelector(start, end), TextQuoteSelector(exact, prefix, suffix))


class MatchKind(enum.StrEnum):
    EXACT_POSITION = "exact_position"
    QUOTE = "quote"
    FUZZY = "fuzzy"
    ORPHANED = "orphaned"


@dataclass(frozen=True)
class Match:
    """Where a passage was found in a new text (offsets in that text), or that it was not."""

    kind: MatchKind
    start: int | None = None
    end: int | None = None
    confidence: float = 0.0
    # Selectors rebuilt over the new text, to store for the next revision; None when orphaned.
    selectors: Selectors | None = None

    @property
    def attached(self) -> bool:
        return self.kind is not MatchKind.ORPHANED


ORPHANED = Match(MatchKind.ORPHANED)


# --- Building selectors -------------------------------------------------------------------------------------


def select(text: str, start: int, end: int, *, expected_quote: str | None = None) -> Selectors:
    """Selectors for text[start:end], trimmed of surrounding whitespace; refuses unusable selections.

    `expected_quote` is what the reader's browser saw selected: if given, it must match the passage (after
    normalisation), which catches a reader whose page was older than the text the offsets are applied to.
    """
    _check_span(start, end, len(text))
    if start == end:
        raise EmptySelection("The selection is empty; select some words to comment on.")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise EmptySelection("The selection holds only spaces; select some words to comment on.")
    _check_quote_length(text[start:end])
    if (
        expected_quote is not None
        and _normalised(expected_quote).text.strip() != _normalised(text[start:end]).text
    ):
        raise SelectorsDisagree(
            "The selected words are not at that place in the article; reload and select again."
        )
    return _selectors(text, start, end)


def check_selectors(selectors: Selectors, text: str) -> None:
    """Raise AnchoringError unless the selectors describe a usable passage of `text` (e.g. from a client)."""
    position = selectors.position
    _check_span(position.start, position.end, len(text))
    if position.start == position.end:
        raise EmptySelection("The selection is empty; select some words to comment on.")
    _check_quote_length(selectors.quote.exact)
    if text[position.start : position.end] != selectors.quote.exact:
        raise SelectorsDisagree(
            "The quoted words are not at that place in the article; reload and select again."
        )


def _check_span(start: object, end: object, length: int | None) -> None:
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in (start, end)):
        raise AnchoringError("A selection's start and end must be whole numbers.")
    if start > end:
        raise SelectionReversed(f"The selection starts ({start}) after it ends ({end}).")
    if start < 0 or (length is not None and end > length):
        limit = "" if length is None else f" (the text has {length} characters)"
        raise SelectionOutOfRange(f"The selection {start}-{end} lies outside the text{limit}.")


def _check_quote_length(quote: str, limit: int = MAX_QUOTE_LENGTH) -> None:
    if not quote:
        raise EmptySelection("The selection is empty; select some words to comment on.")
    if len(quote) > limit:
        raise QuoteTooLong(
            f"The selection is {len(quote):,} characters long; select at most {limit:,} "
            "(a paragraph), or comment on the whole article instead."
        )


def _selectors(text: str, start: int, end: int) -> Selectors:
    return Selectors(
        TextPositionSelector(start, end),
        TextQuoteSelector(
            exact=text[start:end],
            prefix=text[max(0, start - CONTEXT_LENGTH) : start],
            suffix=text[end : end + CONTEXT_LENGTH],
        ),
    )


# --- Normalisation ------------------------------------------------------------------------------------------

_IGNORED = "\u00ad\u200b\u2060\ufeff"  # soft hyphen, zero-width space, word joiner, byte-order mark
_FOLDED = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"'}
)
_TOKENS = re.compile(rf"(\s+)|([{_IGNORED}]+)|([^\s{_IGNORED}]+)")
_HANGUL_VOWELS_AND_TRAILS = range(0x1161, 0x11C3)


@dataclass(frozen=True)
class NormalisedText:
    """Text prepared for matching, with each character's source span in the original text."""

    text: str
    raw_starts: list[int]
    raw_ends: list[int]
    raw_length: int

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        if start >= end:
            position = self.raw_starts[start] if start < len(self.text) else self.raw_length
            return position, position
        return self.raw_starts[start], self.raw_ends[end - 1]

    def from_raw(self, offset: int) -> int:
        """Index of the first normalised character that starts at or after `offset` in the original text."""
        return bisect.bisect_left(self.raw_starts, offset)


@functools.lru_cache(maxsize=256)
def _normalised(text: str) -> NormalisedText:
    # Cached because a publish re-anchors every comment of an article against the same block texts.
    return normalise(text)


def normalise(text: str) -> NormalisedText:
    """NFC, whitespace runs as one space, curly quotes straight, invisible characters dropped; offsets kept"""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for token in _TOKENS.finditer(text.translate(_FOLDED)):
        space, ignored, word = token.groups()
        if ignored:
            continue
        if space:
            if out and out[-1] == " ":
                ends[-1] = token.end()
            else:
                out.append(" ")
                starts.append(token.start())
                ends.append(token.end())
            continue
        offset = token.start()
        if unicodedata.is_normalized("NFC", word):
            out.append(word)
            starts.extend(range(offset, offset + len(word)))
            ends.extend(range(offset + 1, offset + len(word) + 1))
            continue
        for piece_start, piece_end in _composition_units(word):
            composed = unicodedata.normalize("NFC", word[piece_start:piece_end])
            out.append(composed)
            starts.extend([offset + piece_start] * len(composed))
            ends.extend([offset + piece_end] * len(composed))
    return NormalisedText("".join(out), starts, ends, len(text))


def _composition_units(word: str) -> list[tuple[int, int]]:
    """Spans of `word` that NFC composes independently: a starter with the marks and jamo that join it."""
    units = []
    unit_start = 0
    for index in range(1, len(word)):
        character = word[index]
        joins = (
            unicodedata.combining(character) != 0
            or ord(character) in _HANGUL_VOWELS_AND_TRAILS
            or len(unicodedata.normalize("NFC", word[index - 1 : index + 1])) < 2
        )
        if not joins:
            units.append((unit_start, index))
            unit_start = index
    units.append((unit_start, len(word)))
    return units


# --- Re-anchoring -------------------------------------------------------------------------------------------


def reanchor(selectors: Selectors, new_text: str) -> Match:
    """Find the passage described by `selectors` in `new_text` (see the cascade in the module docstring)."""
    quote = selectors.quote
    start, end = selectors.position.start, selectors.position.end
    if 0 <= start < end <= len(new_text) and new_text[start:end] == quote.exact and quote.exact.strip():
        context = _context(_Wanted.raw(quote), new_text, start, end)
        if context.trustworthy(same_text=True):
            return _attached(MatchKind.EXACT_POSITION, new_text, start, end, 1.0, context.score)

    wanted = _Wanted.of(quote)
    if not wanted.exact:
        return ORPHANED
    norm = _normalised(new_text)
    expected = norm.from_raw(start)
    found = _by_quote(wanted, norm.text, expected, same_text=True)
    if found is not None:
        begin, finish, context = found
        return _attached(MatchKind.QUOTE, new_text, *norm.to_raw(begin, finish), 1.0, context.score)
    found = _fuzzy(wanted, norm.text, expected)
    if found is not None:
        begin, finish, similarity, context = found
        return _attached(MatchKind.FUZZY, new_text, *norm.to_raw(begin, finish), similarity, context.score)
    return ORPHANED


def _attached(kind: MatchKind, text: str, start: int, end: int, similarity: float, context: float) -> Match:
    confidence = round(QUOTE_WEIGHT * similarity + (1 - QUOTE_WEIGHT) * context, 4)
    return Match(kind, start, end, confidence, _selectors(text, start, end))


@dataclass(frozen=True)
class _Wanted:
    exact: str
    prefix: str
    suffix: str
    # A context stored at full length was cut by CONTEXT_LENGTH, not by the edge of the text, so all of it
    # agreeing is full agreement even when normalisation (NFC, spaces) made it shorter. Its far end may split
    # a letter from its accents, so that one character is left out of the comparison.
    prefix_cut: bool = False
    suffix_cut: bool = False

    @classmethod
    def trimmed(cls, exact: str, prefix: str, suffix: str, quote: TextQuoteSelector) -> _Wanted:
        prefix_cut, suffix_cut = len(quote.prefix) >= CONTEXT_LENGTH, len(quote.suffix) >= CONTEXT_LENGTH
        return cls(
            exact,
            prefix[1:] if prefix_cut else prefix,
            suffix[:-1] if suffix_cut else suffix,
            prefix_cut,
            suffix_cut,
        )

    @classmethod
    def raw(cls, quote: TextQuoteSelector) -> _Wanted:
        return cls.trimmed(quote.exact, quote.prefix, quote.suffix, quote)

    @classmethod
    def of(cls, quote: TextQuoteSelector) -> _Wanted:
        # Normalised as one string so that whitespace at the joins collapses exactly as it does in the text.
        joined = quote.prefix + quote.exact + quote.suffix
        norm = normalise(joined)
        begin = norm.from_raw(len(quote.prefix))
        finish = norm.from_raw(len(quote.prefix) + len(quote.exact))
        prefix, exact, suffix = norm.text[:begin], norm.text[begin:finish], norm.text[finish:]
        # Leading or trailing spaces of a stored quote are not part of the words the reader meant.
        stripped = exact.lstrip(" ")
        prefix += exact[: len(exact) - len(stripped)]
        exact = stripped.rstrip(" ")
        suffix = stripped[len(exact) :] + suffix
        return cls.trimmed(exact, prefix, suffix, quote)


@dataclass(frozen=True)
class _Context:
    score: float  # 0..1, half per side; a side that stops at the edge of the text where it used to is whole
    evidence: int  # characters that agree: the quote's own plus the matching context (text edges count 0)
    word_aligned: bool  # False when a passage that began or ended on a word boundary now cuts into a word
    complete: bool  # all the stored context agrees, up to the edges of the text where it stopped at one

    def trustworthy(self, *, same_text: bool, minimum_score: float = MIN_CONTEXT_SCORE) -> bool:
        """Enough agreement to attach. Text edges are evidence only in the block the anchor was made in, and
        only when everything else agrees: a short heading is still itself, but "The" opening some paragraph
        is not."""
        enough = self.evidence >= MIN_EVIDENCE or (same_text and self.complete)
        return self.word_aligned and self.score >= minimum_score and enough


def _context(wanted: _Wanted, text: str, start: int, end: int) -> _Context:
    prefix, exact, suffix = wanted.prefix, wanted.exact, wanted.suffix
    before = text[max(0, start - CONTEXT_LENGTH) : start][::-1]
    after = text[end : end + CONTEXT_LENGTH]
    matched_before = _common_prefix_length(prefix[::-1], before)
    matched_after = _common_prefix_length(suffix, after)
    score = (
        _side_score(matched_before, prefix, before, wanted.prefix_cut)
        + _side_score(matched_after, suffix, after, wanted.suffix_cut)
    ) / 2
    aligned = (
        _cuts_word(prefix[-1:], exact[:1]) or not _cuts_word(before[:1], text[start : start + 1])
    ) and (_cuts_word(exact[-1:], suffix[:1]) or not _cuts_word(text[end - 1 : end], after[:1]))
    # A whole cut context is worth its stored length, however much normalisation shortened it.
    evidence = end - start
    for matched, expected, cut in (
        (matched_before, prefix, wanted.prefix_cut),
        (matched_after, suffix, wanted.suffix_cut),
    ):
        evidence += CONTEXT_LENGTH if cut and matched == len(expected) else matched
    return _Context(score, evidence, aligned, score == 1.0)


def _side_score(matched: int, expected: str, actual: str, cut: bool) -> float:
    if cut:
        return matched / len(expected) if expected else 1.0
    if matched == len(expected) == len(actual):
        # Both stop at the edge of the text: nothing more could agree.
        return 1.0
    return matched / CONTEXT_LENGTH


def _cuts_word(left: str, right: str) -> bool:
    """True when a boundary between these two characters falls inside a word."""
    return bool(left and right) and _is_word_character(left) and _is_word_character(right)


def _is_word_character(character: str) -> bool:
    # Marks (Arabic harakat, combining accents) belong to the letter they sit on.
    return character.isalnum() or character == "_" or unicodedata.category(character).startswith("M")


def _common_prefix_length(first: str, second: str) -> int:
    limit = min(len(first), len(second))
    index = 0
    while index < limit and first[index] == second[index]:
        index += 1
    return index


def _by_quote(
    wanted: _Wanted, text: str, expected: int, *, same_text: bool
) -> tuple[int, int, _Context] | None:
    """The occurrence of the exact quote with the best context (then nearest `expected`), if good enough."""
    best = None
    best_key = None
    position = text.find(wanted.exact)
    while position != -1:
        finish = position + len(wanted.exact)
        context = _context(wanted, text, position, finish)
        if context.trustworthy(same_text=same_text):
            key = (-context.score, abs(position - expected))
            if best_key is None or key < best_key:
                best, best_key = (position, finish, context), key
        position = text.find(wanted.exact, position + 1)
    return best


def _fuzzy(wanted: _Wanted, text: str, expected: int) -> tuple[int, int, float, _Context] | None:
    quote = wanted.exact
    window_start = max(0, expected - FUZZY_SEARCH_RADIUS)
    window = text[window_start : expected + len(quote) + FUZZY_SEARCH_RADIUS]
    local = expected - window_start
    matcher = diff_match_patch()
    matcher.Match_Threshold = 0.4
    matcher.Match_Distance = FUZZY_SEARCH_RADIUS

    def locate(pattern: str, near: int) -> int:
        if not pattern:
            return -1
        found = matcher.match_main(window, pattern, near)
        return -1 if found == -1 else found + window_start

    head, tail = quote[:BITAP_PATTERN_LENGTH], quote[-BITAP_PATTERN_LENGTH:]
    head_at = locate(head, local)
    tail_at = locate(tail, local + len(quote) - len(tail))
    tail_end = tail_at + len(tail) if tail_at != -1 else -1
    prefix_tail = wanted.prefix[-BITAP_PATTERN_LENGTH:]
    suffix_head = wanted.suffix[:BITAP_PATTERN_LENGTH]
    prefix_at = locate(prefix_tail, local - len(prefix_tail))
    after_prefix = prefix_at + len(prefix_tail) if prefix_at != -1 else -1
    suffix_at = locate(suffix_head, local + len(quote))

    candidates = set()
    for begin in (head_at, after_prefix):
        if begin != -1:
            candidates.add((begin, begin + len(quote)))
            for finish in (tail_end, suffix_at):
                if finish > begin:
                    candidates.add((begin, finish))
    for finish in (tail_end, suffix_at):
        if finish != -1:
            candidates.add((finish - len(quote), finish))

    best = None
    for begin, finish in sorted(candidates):
        begin, finish = min(max(0, begin), len(text)), min(max(0, finish), len(text))
        if finish <= begin:
            continue
        begin, finish = _snapped(wanted, text, begin, finish)
        if finish <= begin:
            continue
        context = _context(wanted, text, begin, finish)
        if not context.trustworthy(same_text=True, minimum_score=MIN_FUZZY_CONTEXT_SCORE):
            continue
        minimum = MIN_QUOTE_SIMILARITY_IN_PLACE if context.complete else MIN_QUOTE_SIMILARITY
        similarity = _similarity(quote, text[begin:finish], minimum)
        if similarity < minimum:
            continue
        confidence = QUOTE_WEIGHT * similarity + (1 - QUOTE_WEIGHT) * context.score
        if best is None or confidence > best[0]:
            best = (confidence, begin, finish, similarity, context)
    return None if best is None else best[1:]


def _snapped(wanted: _Wanted, text: str, begin: int, finish: int) -> tuple[int, int]:
    """Move the ends of a fuzzy span, a few characters at most, to where the surviving context stops."""
    reversed_prefix = wanted.prefix[::-1]
    best_begin, best_agreement = begin, 0
    if not wanted.prefix and begin <= SNAP_DISTANCE:
        best_begin, best_agreement = 0, CONTEXT_LENGTH  # it began the text, and the text's start is near
    for shift in sorted(range(-SNAP_DISTANCE, SNAP_DISTANCE + 1), key=abs):
        candidate = begin + shift
        if 0 <= candidate <= len(text):
            before = text[max(0, candidate - CONTEXT_LENGTH) : candidate][::-1]
            agreement = _common_prefix_length(reversed_prefix, before)
            if agreement > best_agreement:
                best_begin, best_agreement = candidate, agreement
    best_finish, best_agreement = finish, 0
    if not wanted.suffix and len(text) - finish <= SNAP_DISTANCE:
        best_finish, best_agreement = len(text), CONTEXT_LENGTH
    for shift in sorted(range(-SNAP_DISTANCE, SNAP_DISTANCE + 1), key=abs):
        candidate = finish + shift
        if 0 <= candidate <= len(text):
            agreement = _common_prefix_length(wanted.suffix, text[candidate : candidate + CONTEXT_LENGTH])
            if agreement > best_agreement:
                best_finish, best_agreement = candidate, agreement
    while best_begin < best_finish and text[best_begin] == " ":
        best_begin += 1
    while best_finish > best_begin and text[best_finish - 1] == " ":
        best_finish -= 1
    # A passage that began and ended on word boundaries should not now start or stop inside a word.
    if not _cuts_word(wanted.prefix[-1:], wanted.exact[:1]):
        limit = max(0, best_begin - SNAP_DISTANCE)
        while best_begin > limit and _cuts_word(
            text[best_begin - 1 : best_begin], text[best_begin : best_begin + 1]
        ):
            best_begin -= 1
    if not _cuts_word(wanted.exact[-1:], wanted.suffix[:1]):
        limit = min(len(text), best_finish + SNAP_DISTANCE)
        while best_finish < limit and _cuts_word(text[best_finish - 1 : best_finish], text[best_finish]):
            best_finish += 1
    return best_begin, best_finish


def _similarity(expected: str, actual: str, minimum: float) -> float:
    """1 - edit distance / length, computed only as far as `minimum` needs (0 when below it)."""
    longest = max(len(expected), len(actual))
    most = int((1 - minimum) * longest)
    # Widen the band step by step: a typo fix costs a narrow band, only a rewrite pays for a wide one.
    limit = min(16, most)
    while True:
        distance = bounded_edit_distance(expected, actual, limit)
        if distance is not None:
            return 1 - distance / longest
        if limit >= most:
            return 0.0
        limit = min(limit * 4, most)


def bounded_edit_distance(first: str, second: str, limit: int) -> int | None:
    """Levenshtein distance if it is at most `limit`, else None; O(len x limit) time (Ukkonen's band)."""
    common = _common_prefix_length(first, second)
    first, second = first[common:], second[common:]
    common = _common_prefix_length(first[::-1], second[::-1])
    if common:
        first, second = first[:-common], second[:-common]
    if abs(len(first) - len(second)) > limit:
        return None
    if not first or not second:
        return max(len(first), len(second))
    beyond = limit + 1
    previous = [min(column, beyond) for column in range(len(second) + 1)]
    for row in range(1, len(first) + 1):
        low, high = max(1, row - limit), min(len(second), row + limit)
        current = [beyond] * (len(second) + 1)
        if row <= limit:
            current[0] = row
        character = first[row - 1]
        row_best = current[0] if low == 1 else beyond
        # Plain comparisons rather than min(): this loop is where fuzzy matching spends its time.
        for column in range(low, high + 1):
            cost = previous[column - 1] + (character != second[column - 1])
            if previous[column] + 1 < cost:
                cost = previous[column] + 1
            if current[column - 1] + 1 < cost:
                cost = current[column - 1] + 1
            current[column] = cost if cost < beyond else beyond
            if cost < row_best:
                row_best = cost
        if row_best > limit:
            return None
        previous = current
    distance = previous[len(second)]
    return distance if distance <= limit else None


# --- StreamField bodies -------------------------------------------------------------------------------------

_BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table td th tr ul".split()
)


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.break_pending = False

    def _block_edge(self) -> None:
        if self.parts:
            self.break_pending = True

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")
            self.break_pending = False
        elif tag in _BLOCK_ELEMENTS:
            self._block_edge()

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_ELEMENTS:
            self._block_edge()

    def handle_data(self, data: str) -> None:
        if not data:
            return
        if self.break_pending:
            self.parts.append("\n")
            self.break_pending = False
        self.parts.append(data)


def rich_text_to_plain(html: str) -> str:
    """The reader-visible text of rich-text HTML: inline mark-up dropped, "\\n" between block elements."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def block_plain_text(block_type: str, value: object) -> str | None:
    """The anchorable plain text of one StreamField block, or None for blocks that cannot carry an anchor."""
    if block_type not in ANCHORABLE_BLOCK_TYPES:
        return None
    if block_type == "paragraph" and isinstance(value, str):
        return rich_text_to_plain(value)
    if block_type == "section_heading" and isinstance(value, str):
        return value
    if block_type == "block_quote" and isinstance(value, Mapping) and isinstance(value.get("quote"), str):
        return value["quote"]
    return None


def body_block_texts(body: Iterable[Mapping]) -> dict[str, str]:
    """Plain text of each anchorable block of a StreamField body (a list of {type, value, id}), by id."""
    texts = {}
    for block in body:
        block_id = block.get("id")
        text = block_plain_text(block.get("type", ""), block.get("value"))
        if block_id and text is not None:
            texts[str(block_id)] = text
    return texts


def select_in_body(
    texts: Mapping[str, str],
    *,
    block_id: str,
    start: int,
    end: int,
    end_block_id: str | None = None,
    expected_quote: str | None = None,
) -> tuple[str, Selectors]:
    """The block id and selectors of a reader's selection; `end_block_id` is where the selection ended."""
    if end_block_id is not None and end_block_id != block_id:
        raise SelectionAcrossBlocks(
            "The selection runs across two paragraphs (or a heading and a paragraph); "
            "select words within one paragraph."
        )
    if block_id not in texts:
        raise UnknownBlock(
            "That part of the article cannot be commented on, or no longer exists; reload the page."
        )
    return block_id, select(texts[block_id], start, end, expected_quote=expected_quote)


@dataclass(frozen=True)
class BodyMatch:
    block_id: str | None
    match: Match


def reanchor_in_body(block_id: str, selectors: Selectors, texts: Mapping[str, str]) -> BodyMatch:
    """Re-attach an anchor in a new revision's blocks: its own block first, else the exact quote elsewhere.

    Blocks keep their ids across revisions, so the cascade runs on the anchor's block. When that block is gone
    or the passage has left it (an editor split the paragraph), other blocks are searched for the exact quote
    with enough context, never fuzzily: a near-miss in another paragraph is more likely a different passage.
    """
    if block_id in texts:
        match = reanchor(selectors, texts[block_id])
        if match.attached:
            return BodyMatch(block_id, match)
    wanted = _Wanted.of(selectors.quote)
    best = None
    for other_id, text in texts.items():
        if other_id == block_id or not wanted.exact:
            continue
        norm = _normalised(text)
        found = _by_quote(wanted, norm.text, norm.from_raw(selectors.position.start), same_text=False)
        if found is not None and (best is None or found[2].score > best[2][2].score):
            best = (other_id, norm, found)
    if best is None:
        return BodyMatch(None, ORPHANED)
    other_id, norm, (begin, finish, context) = best
    return BodyMatch(
        other_id, _attached(MatchKind.QUOTE, texts[other_id], *norm.to_raw(begin, finish), 1.0, context.score)
    )
