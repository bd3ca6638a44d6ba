"""Tests of the pure anchoring functions: building selectors, re-attaching passages, plain text of bodies."""

import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from masthead.annotations.anchoring import (
    CONTEXT_LENGTH,
    MAX_QUOTE_LENGTH,
    AnchoringError,
    EmptySelection,
    MatchKind,
    QuoteTooLong,
    SelectionAcrossBlocks,
    SelectionOutOfRange,
    SelectionReversed,
    Selectors,
    SelectorsDisagree,
    TextPositionSelector,
    TextQuoteSelector,
    UnknownBlock,
    block_plain_text,
    body_block_texts,
    bounded_edit_distance,
    check_selectors,
    normalise,
    reanchor,
    reanchor_in_body,
    rich_text_to_plain,
    select,
    select_in_body,
)

# Property tests run the same examples every time and keep no database of failing examples.
DETERMINISTIC = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)

ARTICLE = (
    "The harbour authority signed the concession in 2019. It promised a new container terminal within four "
    "years, and the operator agreed to pay a fixed fee whatever the volumes. Three years later the quay is "
    "half built. The harbour authority says the delay is the operator's; the operator blames the dredging "
    "contract."
)


def span_of(text: str, passage: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return start, start + len(passage)


def anchor(text: str, passage: str, occurrence: int = 0) -> Selectors:
    return select(text, *span_of(text, passage, occurrence))


def attached_text(match, text: str) -> str:
    assert match.attached, match
    return text[match.start : match.end]


# --- Building selectors -------------------------------------------------------------------------------------


def test_select_stores_position_quote_and_32_characters_of_context():
    start, end = span_of(ARTICLE, "a fixed fee")
    selectors = select(ARTICLE, start, end)
    assert selectors.position == TextPositionSelector(start, end)
    assert selectors.quote.exact == "a fixed fee"
    assert selectors.quote.prefix == ARTICLE[start - CONTEXT_LENGTH : start]
    assert len(selectors.quote.prefix) == len(selectors.quote.suffix) == CONTEXT_LENGTH == 32
    assert ARTICLE[end:].startswith(selectors.quote.suffix)


def test_context_is_shorter_at_the_edges_of_the_text():
    selectors = select(ARTICLE, 0, 3)
    assert selectors.quote.prefix == ""
    end_selectors = select(ARTICLE, len(ARTICLE) - 9, len(ARTICLE))
    assert end_selectors.quote == TextQuoteSelector("contract.", ARTICLE[-41:-9], "")


def test_select_trims_surrounding_whitespace():
    start, end = span_of(ARTICLE, " a fixed fee ")
    selectors = select(ARTICLE, start, end)
    assert selectors.quote.exact == "a fixed fee"
    assert selectors.position == TextPositionSelector(start + 1, end - 1)


def test_selectors_round_trip_through_web_annotation_json():
    selectors = anchor(ARTICLE, "half built")
    exported = selectors.to_web_annotation()
    assert exported[0] == {"type": "TextPositionSelector", **vars(selectors.position)}
    assert exported[1]["type"] == "TextQuoteSelector" and exported[1]["exact"] == "half built"
    assert Selectors.from_web_annotation(exported) == selectors


def test_stored_selectors_may_have_grown_past_the_selection_limit_but_not_to_5000_characters():
    def stored(length: int) -> list[dict]:
        return [
            {"type": "TextPositionSelector", "start": 0, "end": length},
            {"type": "TextQuoteSelector", "exact": "x" * length},
        ]

    assert len(Selectors.from_web_annotation(stored(2_100)).quote.exact) == 2_100
    huge = stored(5_000)
    with pytest.raises(QuoteTooLong):
        Selectors.from_web_annotation(huge)


@pytest.mark.parametrize(
    "stored",
    [
        "not a list",
        [{"type": "TextPositionSelector", "start": 1, "end": 4}],
        [
            {"type": "TextPositionSelector", "start": "1", "end": 4},
            {"type": "TextQuoteSelector", "exact": "abc"},
        ],
        [
            {"type": "TextPositionSelector", "start": 4, "end": 1},
            {"type": "TextQuoteSelector", "exact": "abc"},
        ],
        [{"type": "TextPositionSelector", "start": 1, "end": 4}, {"type": "TextQuoteSelector", "exact": 3}],
        [{"type": "TextPositionSelector", "start": 1, "end": 4}, {"type": "TextQuoteSelector", "exact": ""}],
        [
            {"type": "TextPositionSelector", "start": 1, "end": 4},
            {"type": "TextQuoteSelector", "exact": "abc", "prefix": "x" * 33},
        ],
    ],
)
def test_malformed_stored_selectors_are_refused_with_a_message(stored):
    with pytest.raises(AnchoringError) as error:
        Selectors.from_web_annotation(stored)
    assert str(error.value)


@pytest.mark.parametrize(
    ("start", "end", "error", "words"),
    [
        (-1, 4, SelectionOutOfRange, "outside the text"),
        (10, len(ARTICLE) + 1, SelectionOutOfRange, "outside the text"),
        (len(ARTICLE) + 5, len(ARTICLE) + 9, SelectionOutOfRange, "outside the text"),
        (12, 12, EmptySelection, "empty"),
        (3, 4, EmptySelection, "only spaces"),
        (20, 10, SelectionReversed, "starts (20) after it ends (10)"),
        ("3", 10, AnchoringError, "whole numbers"),
        (True, 10, AnchoringError, "whole numbers"),
    ],
)
def test_bad_selections_raise_a_clear_value_error(start, end, error, words):
    with pytest.raises(error) as raised:
        select(ARTICLE, start, end)
    assert isinstance(raised.value, ValueError)
    assert words in str(raised.value)


def test_a_quote_of_5000_characters_is_refused_and_the_limit_is_accepted():
    text = "Words, words and more words. " * 200
    assert not text[4_999].isspace()
    with pytest.raises(QuoteTooLong) as raised:
        select(text, 0, 5_000)
    assert "5,000 characters" in str(raised.value) and f"{MAX_QUOTE_LENGTH:,}" in str(raised.value)
    assert MAX_QUOTE_LENGTH == 2_000
    assert len(select(text, 0, MAX_QUOTE_LENGTH - 1).quote.exact) <= MAX_QUOTE_LENGTH


def test_select_checks_the_quote_the_browser_saw():
    start, end = span_of(ARTICLE, "fixed fee")
    assert select(ARTICLE, start, end, expected_quote="fixed\u00a0 fee ").quote.exact == "fixed fee"
    with pytest.raises(SelectorsDisagree):
        select(ARTICLE, start, end, expected_quote="fixed price")


def test_check_selectors_refuses_a_quote_that_is_not_at_its_position():
    selectors = anchor(ARTICLE, "fixed fee")
    check_selectors(selectors, ARTICLE)
    moved = Selectors(TextPositionSelector(0, 9), selectors.quote)
    with pytest.raises(SelectorsDisagree):
        check_selectors(moved, ARTICLE)
    with pytest.raises(SelectionOutOfRange):
        check_selectors(Selectors(TextPositionSelector(5, 10_000), selectors.quote), ARTICLE)
    with pytest.raises(QuoteTooLong):
        check_selectors(Selectors(selectors.position, TextQuoteSelector("x" * 5_000)), ARTICLE)


# --- Re-anchoring: the cascade ------------------------------------------------------------------------------


def test_unchanged_text_attaches_at_the_exact_position():
    selectors = anchor(ARTICLE, "a fixed fee")
    match = reanchor(selectors, ARTICLE)
    assert match.kind is MatchKind.EXACT_POSITION
    assert (match.start, match.end, match.confidence) == (
        selectors.position.start,
        selectors.position.end,
        1.0,
    )
    assert match.selectors == selectors


def test_text_inserted_before_moves_the_anchor_by_quote_and_context():
    selectors = anchor(ARTICLE, "a fixed fee")
    revised = "An update: the terminal opened in May. " + ARTICLE
    match = reanchor(selectors, revised)
    assert match.kind is MatchKind.QUOTE
    assert match.start == selectors.position.start + 39
    assert attached_text(match, revised) == "a fixed fee"
    # The stored selectors for the next revision describe the new position.
    assert match.selectors == select(revised, match.start, match.end)


def test_duplicate_passages_are_told_apart_by_context():
    # "The harbour authority" opens the first and the fourth sentence; the anchor is on the fourth.
    selectors = anchor(ARTICLE, "The harbour authority", occurrence=1)
    revised = ARTICLE.replace("Three years later", "Three years and two months later")
    match = reanchor(selectors, revised)
    assert match.start == span_of(revised, "The harbour authority", occurrence=1)[0]


def test_context_wins_over_distance():
    text = (
        "Rates rose. The figure is wrong, says the ministry. Rates fell. The figure is wrong, says the union."
    )
    selectors = anchor(text, "The figure is wrong", occurrence=1)
    # The first copy now sits exactly where the anchored one was; the anchored one moved away.
    revised = "Rates rose sharply in the quarter, with more to come." + text[11:]
    assert revised[selectors.position.start : selectors.position.end] != "The figure is wrong"
    match = reanchor(selectors, revised)
    assert match.start == span_of(revised, "The figure is wrong", occurrence=1)[0]


def test_equal_context_falls_back_to_the_nearest_occurrence():
    block = "Nothing changed at the port that year. "
    text = block * 4
    selectors = anchor(text, "Nothing changed", occurrence=2)
    revised = "New. " + text
    match = reanchor(selectors, revised)
    assert match.start == span_of(revised, "Nothing changed", occurrence=2)[0]


def test_a_typo_fixed_inside_the_passage_is_a_fuzzy_match_on_the_same_words():
    selectors = anchor(ARTICLE, "the operator agreed to pay")
    revised = ARTICLE.replace("operator agreed", "operater agreeed")
    match = reanchor(selectors, revised)
    assert match.kind is MatchKind.FUZZY
    assert attached_text(match, revised) == "the operater agreeed to pay"
    assert 0.8 < match.confidence < 1


def test_a_long_passage_with_changes_at_both_ends_and_inside_is_found():
    passage = ARTICLE[ARTICLE.index("It promised") : ARTICLE.index(" The harbour authority says")]
    assert len(passage) > 3 * 32
    selectors = anchor(ARTICLE, passage)
    edited = passage.replace("It promised", "It had promised").replace("volumes.", "volume.")
    edited = edited.replace("container", "containr")
    revised = ARTICLE.replace(passage, edited)
    match = reanchor(selectors, revised)
    assert match.kind is MatchKind.FUZZY
    assert attached_text(match, revised) == edited


def test_a_reworded_short_passage_between_intact_context_is_kept():
    selectors = anchor(ARTICLE, "within four years")
    revised = ARTICLE.replace("within four years", "within five years")
    assert attached_text(reanchor(selectors, revised), revised) == "within five years"


def test_a_rewritten_passage_is_orphaned():
    selectors = anchor(ARTICLE, "the operator agreed to pay a fixed fee whatever the volumes")
    revised = ARTICLE.replace(
        "the operator agreed to pay a fixed fee whatever the volumes",
        "nobody has yet explained who pays for delays",
    )
    assert reanchor(selectors, revised).kind is MatchKind.ORPHANED


def test_a_deleted_passage_is_orphaned_even_when_a_copy_survives_elsewhere():
    pull_quote = "The schedule is rarely the cause of the improvement."
    text = f"Several firms use it for maintenance. {pull_quote} It is the occasion for it.\n\n{pull_quote}"
    selectors = anchor(text, pull_quote)
    revised = text.replace(f" {pull_quote}", "", 1)
    assert revised.count(pull_quote) == 1
    assert reanchor(selectors, revised).kind is MatchKind.ORPHANED


def test_a_short_word_is_not_reattached_to_the_same_word_in_another_sentence():
    text = "The first is finance. The second is institutional, and slower."
    selectors = anchor(text, "The")
    revised = text.replace("The first is finance. ", "")
    assert reanchor(selectors, revised).kind is MatchKind.ORPHANED


def test_a_match_never_cuts_into_a_word():
    selectors = anchor(ARTICLE, "and")
    revised = ARTICLE.replace("years, and the", "years, andd the")
    match = reanchor(selectors, revised)
    assert match.attached and attached_text(match, revised) == "andd"


def test_whitespace_changes_do_not_move_the_anchor():
    selectors = anchor(ARTICLE, "a fixed fee whatever the volumes")
    revised = ARTICLE.replace(" ", "  ").replace("fixed  fee", "fixed\n\u00a0fee")
    match = reanchor(selectors, revised)
    assert match.kind is MatchKind.QUOTE
    assert attached_text(match, revised) == "a  fixed\n\u00a0fee  whatever  the  volumes"


def test_curly_quotes_and_soft_hyphens_are_matched_as_plain_characters():
    text = 'The minister said the plan was "a co\u00adoperative effort" and moved on.'
    selectors = anchor(text, '"a co\u00adoperative effort"')
    revised = "Yesterday, " + text.replace('"', "\u201c", 1).replace('"', "\u201d", 1).replace("\u00ad", "")
    assert attached_text(reanchor(selectors, revised), revised) == "\u201ca cooperative effort\u201d"


def test_right_to_left_text_is_anchored_and_survives_an_edit_before_it():
    text = (
        "ارتفعت أسعار المياه هذا العام. يقول المزارعون إن الضخ من الآبار أصبح أغلى من أي وقت مضى. "
        "وتردّ الوزارة بأن الدعم مستمر."
    )
    selectors = anchor(text, "الضخ من الآبار أصبح أغلى")
    revised = "تقرير جديد صدر اليوم. " + text
    match = reanchor(selectors, revised)
    assert match.kind is MatchKind.QUOTE
    assert attached_text(match, revised) == "الضخ من الآبار أصبح أغلى"
    typo = revised.replace("الآبار", "الابار")
    assert attached_text(reanchor(selectors, typo), typo) == "الضخ من الابار أصبح أغلى"


def test_combining_characters_are_matched_across_normalisation_forms():
    decomposed = unicodedata.normalize(
        "NFD", "Le comité a visé une réduction de moitié des délais, selon l'étude."
    )
    selectors = anchor(decomposed, unicodedata.normalize("NFD", "visé une réduction"))
    composed = "Depuis mars, " + unicodedata.normalize("NFC", decomposed)
    match = reanchor(selectors, composed)
    assert attached_text(match, composed) == "visé une réduction"
    # And back: offsets in the decomposed text never split a letter from its accent.
    back = reanchor(select(composed, match.start, match.end), decomposed)
    assert unicodedata.normalize("NFC", attached_text(back, decomposed)) == "visé une réduction"
    assert not unicodedata.combining(decomposed[back.end]) if back.end < len(decomposed) else True


def test_arabic_diacritics_stay_with_their_letter():
    text = "قالَ الوزيرُ إنّ الخطةَ ستُنفَّذ قريبًا، وأضافَ أنّ التمويلَ متوفر."
    selectors = anchor(text, "الخطةَ ستُنفَّذ")
    revised = text.replace("قالَ", "قالَ أمس")
    assert attached_text(reanchor(selectors, revised), revised) == "الخطةَ ستُنفَّذ"


# --- Plain text of bodies and selections across blocks ------------------------------------------------------


def test_rich_text_becomes_plain_text_without_inline_mark_up():
    html = (
        '<p data-block-key="a1">The <b>fixed</b> fee &amp; the <a href="/x/" linktype="page" id="3">dredging '
        "<i>contract</i></a>.</p><p>Second&nbsp;paragraph<br/>with a break.</p>"
        "<ul><li>one</li><li>two</li></ul>"
    )
    assert (
        rich_text_to_plain(html)
        == "The fixed fee & the dredging contract.\nSecond\u00a0paragraph\nwith a break.\none\ntwo"
    )


def test_a_passage_spanning_inline_mark_up_survives_a_change_of_mark_up():
    before = '<p>The operator agreed to pay <b>a fixed</b> fee whatever the <a href="/v/">volumes</a>.</p>'
    after = "<p>The operator agreed to pay a <i>fixed fee</i> whatever the volumes.</p>"
    old_text, new_text = rich_text_to_plain(before), rich_text_to_plain(after)
    selectors = anchor(old_text, "pay a fixed fee whatever the volumes")
    match = reanchor(selectors, new_text)
    assert match.kind is MatchKind.EXACT_POSITION
    assert attached_text(match, new_text) == "pay a fixed fee whatever the volumes"


BODY = [
    {"type": "section_heading", "value": "How far it has spread", "id": "h1"},
    {"type": "paragraph", "value": "<p>The best count comes from the <b>association</b>.</p>", "id": "p1"},
    {"type": "pull_quote", "value": "The best count comes from the association.", "id": "q1"},
    {
        "type": "block_quote",
        "value": {"quote": "It reliably makes it different.", "attribution": "M. S."},
        "id": "b1",
    },
    {"type": "image", "value": {"image": 4, "caption": "A chart"}, "id": "i1"},
    {"type": "paragraph", "value": "<p>No id, so no anchor.</p>"},
]


def test_body_block_texts_holds_the_anchorable_blocks_by_id():
    assert body_block_texts(BODY) == {
        "h1": "How far it has spread",
        "p1": "The best count comes from the association.",
        "b1": "It reliably makes it different.",
    }
    assert block_plain_text("embed", "https://example.org/video") is None


def test_a_selection_across_two_blocks_is_refused_with_a_message():
    texts = body_block_texts(BODY)
    with pytest.raises(SelectionAcrossBlocks) as raised:
        select_in_body(texts, block_id="h1", start=4, end=10, end_block_id="p1")
    assert "within one paragraph" in str(raised.value)
    with pytest.raises(UnknownBlock):
        select_in_body(texts, block_id="q1", start=0, end=5)
    block_id, selectors = select_in_body(texts, block_id="p1", start=4, end=14, end_block_id="p1")
    assert (block_id, selectors.quote.exact) == ("p1", "best count")


def test_reanchor_in_body_follows_a_passage_into_a_split_paragraph():
    texts = {
        "p1": "First sentence here. The passage that readers discussed sits in the middle. Last one.",
    }
    start, end = span_of(texts["p1"], "readers discussed")
    _, selectors = select_in_body(texts, block_id="p1", start=start, end=end)
    split = {
        "p1": "First sentence here.",
        "p9": "The passage that readers discussed sits in the middle. Last one.",
    }
    found = reanchor_in_body("p1", selectors, split)
    assert found.block_id == "p9"
    assert split["p9"][found.match.start : found.match.end] == "readers discussed"


def test_reanchor_in_body_orphans_a_deleted_block_rather_than_use_a_short_match_elsewhere():
    texts = {"p1": "The first is finance.", "p2": "The second is institutional."}
    _, selectors = select_in_body(texts, block_id="p1", start=0, end=3)
    found = reanchor_in_body("p1", selectors, {"p2": texts["p2"]})
    assert found.block_id is None and found.match.kind is MatchKind.ORPHANED


def test_a_short_heading_anchored_whole_stays_attached_in_its_block():
    texts = {"h1": "Why"}
    _, selectors = select_in_body(texts, block_id="h1", start=0, end=3)
    assert reanchor_in_body("h1", selectors, texts).match.kind is MatchKind.EXACT_POSITION


# --- Helpers ------------------------------------------------------------------------------------------------


def reference_edit_distance(first: str, second: str) -> int:
    previous = list(range(len(second) + 1))
    for row, left in enumerate(first, 1):
        current = [row]
        for column, right in enumerate(second, 1):
            current.append(min(previous[column] + 1, current[-1] + 1, previous[column - 1] + (left != right)))
        previous = current
    return previous[-1]


@DETERMINISTIC
@given(st.text("abcé ", max_size=30), st.text("abcé ", max_size=30), st.integers(0, 30))
def test_bounded_edit_distance_agrees_with_levenshtein_within_its_limit(first, second, limit):
    exact = reference_edit_distance(first, second)
    assert bounded_edit_distance(first, second, limit) == (exact if exact <= limit else None)


STRAIGHTENED = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"'}
)


@DETERMINISTIC
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_normalisation_maps_every_character_back_to_its_source(text):
    norm = normalise(text)
    assert "  " not in norm.text
    assert len(norm.raw_starts) == len(norm.raw_ends) == len(norm.text)
    assert norm.raw_starts == sorted(norm.raw_starts)
    for index, character in enumerate(norm.text):
        source = text[norm.raw_starts[index] : norm.raw_ends[index]]
        if character == " ":
            assert source.isspace()
        else:
            assert character in unicodedata.normalize("NFC", source).translate(STRAIGHTENED)


# --- Property tests of re-anchoring -------------------------------------------------------------------------

LATIN = "abcdefghijklmnoprstuvwyz"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
MARKS = ["", "", "", "\u0301", "\u0308", "\u064e", "\u0650"]  # acute, diaeresis, fatha, kasra


@st.composite
def words(draw):
    alphabet = draw(st.sampled_from([LATIN, ARABIC]))
    letters = draw(
        st.lists(st.tuples(st.sampled_from(alphabet), st.sampled_from(MARKS)), min_size=2, max_size=7)
    )
    return "".join(letter + mark for letter, mark in letters)


@st.composite
def documents(draw):
    """A text of distinct words (so the passage occurs once), a passage inside it, and spare words."""
    vocabulary = draw(st.lists(words(), min_size=30, max_size=60, unique=True))
    before_count = draw(st.integers(8, 14))
    passage_count = draw(st.integers(1, 8))
    after_count = draw(st.integers(8, 14))
    assume(before_count + passage_count + after_count + 4 <= len(vocabulary))
    before = vocabulary[:before_count]
    passage = vocabulary[before_count : before_count + passage_count]
    after = vocabulary[before_count + passage_count : before_count + passage_count + after_count]
    spare = vocabulary[before_count + passage_count + after_count :]
    return before, passage, after, spare


def joined(*parts: list[str]) -> str:
    return " ".join(word for part in parts for word in part)


def anchor_passage(before: list[str], passage: list[str], after: list[str]) -> Selectors:
    # By position, not by searching: the passage's letters may also end some longer word before it.
    start = len(joined(before)) + 1
    return select(joined(before, passage, after), start, start + len(joined(passage)))


@DETERMINISTIC
@given(documents(), st.data())
def test_edits_before_the_passage_never_lose_or_misplace_it(document, data):
    before, passage, after, spare = document
    at = data.draw(st.integers(0, len(before)))
    if data.draw(st.booleans()):
        edited_before = before[:at] + spare[: data.draw(st.integers(1, 4))] + before[at:]
    else:
        edited_before = before[:at] + before[at + data.draw(st.integers(1, 3)) :]
    revised = joined(edited_before, passage, after)
    selectors = anchor_passage(before, passage, after)
    match = reanchor(selectors, revised)
    start = len(joined(edited_before)) + (1 if edited_before else 0)
    assert (match.start, match.end) == (start, start + len(joined(passage)))


@DETERMINISTIC
@given(documents(), st.data())
def test_edits_after_the_passage_never_lose_or_misplace_it(document, data):
    before, passage, after, spare = document
    at = data.draw(st.integers(0, len(after)))
    if data.draw(st.booleans()):
        edited_after = after[:at] + spare[: data.draw(st.integers(1, 4))] + after[at:]
    else:
        edited_after = after[:at] + after[at + data.draw(st.integers(1, 3)) :]
    revised = joined(before, passage, edited_after)
    selectors = anchor_passage(before, passage, after)
    match = reanchor(selectors, revised)
    assert match.kind is MatchKind.EXACT_POSITION
    assert (match.start, match.end) == (selectors.position.start, selectors.position.end)


@DETERMINISTIC
@given(documents(), st.data())
def test_a_one_letter_edit_inside_the_passage_keeps_it_on_the_same_words(document, data):
    before, passage, after, spare = document
    index = data.draw(st.integers(0, len(passage) - 1))
    word = passage[index]
    at = data.draw(st.integers(0, len(word) - 1))
    kind = data.draw(st.sampled_from(["replace", "insert", "drop"]))
    letter = data.draw(st.sampled_from(LATIN + ARABIC))
    # Long enough that one letter is a typo, not half the passage; an accent stays on its own letter.
    assume(len(normalise(joined(passage)).text) >= 8 and not unicodedata.combining(word[at]))
    if kind == "drop":
        assume(len(word) > 1)
        edited = word[:at] + word[at + 1 :]
    else:
        edited = word[:at] + letter + word[at + (kind == "replace") :]
    assume(edited != word and not unicodedata.combining(edited[0]))
    edited_passage = passage[:index] + [edited] + passage[index + 1 :]
    revised = joined(before, edited_passage, after)
    match = reanchor(anchor_passage(before, passage, after), revised)
    start = len(joined(before)) + 1
    assert (match.start, match.end) == (start, start + len(joined(edited_passage)))


@DETERMINISTIC
@given(documents(), st.data())
def test_whitespace_changes_anywhere_keep_the_passage(document, data):
    before, passage, after, _ = document
    all_words = before + passage + after
    gaps = len(all_words) - 1
    separators = data.draw(
        st.lists(st.sampled_from([" ", "  ", "\n", " \u00a0", "\t "]), min_size=gaps, max_size=gaps)
    )
    revised = all_words[0] + "".join(separator + word for separator, word in zip(separators, all_words[1:]))
    match = reanchor(anchor_passage(before, passage, after), revised)
    assert normalise(attached_text(match, revised)).text == normalise(joined(passage)).text
    assert not revised[match.start].isspace() and not revised[match.end - 1].isspace()


@DETERMINISTIC
@given(documents(), st.booleans())
def test_a_deleted_passage_is_orphaned_never_attached_elsewhere(document, keep_a_copy):
    before, passage, after, spare = document
    selectors = anchor_passage(before, passage, after)
    revised = joined(before, after)
    if keep_a_copy:
        # The same words survive in another place, with other words around them (a pull quote, a summary).
        revised = joined(before, after, spare[:3], passage, spare[3:])
    assert reanchor(selectors, revised).kind is MatchKind.ORPHANED


@DETERMINISTIC
@given(documents(), st.data())
def test_changes_of_inline_mark_up_do_not_move_the_passage(document, data):
    before, passage, after, _ = document
    all_words = before + passage + after
    tags = st.sampled_from(["", "b", "i", "a", "sup"])

    def marked_up(choices: list[str]) -> str:
        parts = []
        for word, tag in zip(all_words, choices):
            parts.append(f"<{tag}>{word}</{tag}>" if tag else word)
        return "<p>" + " ".join(parts) + "</p>"

    old = marked_up(data.draw(st.lists(tags, min_size=len(all_words), max_size=len(all_words))))
    new = marked_up(data.draw(st.lists(tags, min_size=len(all_words), max_size=len(all_words))))
    old_text, new_text = rich_text_to_plain(old), rich_text_to_plain(new)
    assert old_text == new_text == joined(all_words)
    match = reanchor(anchor_passage(before, passage, after), new_text)
    assert match.kind is MatchKind.EXACT_POSITION
