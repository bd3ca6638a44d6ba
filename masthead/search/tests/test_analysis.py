"""analysis.py: the same terms for a word however it is written (diacritics, alef forms, accents, endings)."""

import pytest

from masthead.search.analysis import analysed, fold, normalise_arabic


@pytest.mark.parametrize(
    "written, plain",
    [
        ("الطَّاقَةُ", "الطاقه"),  # diacritics, ta marbuta
        ("أسوان", "اسوان"),  # alef with hamza above
        ("إنتاج", "انتاج"),  # alef with hamza below
        ("آبار", "ابار"),  # alef with madda
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("مـــدن", "مدن"),  # tatweel
    ],
)
def test_arabic_forms_are_normalised(written, plain):
    assert normalise_arabic(written) == normalise_arabic(plain) == plain


def test_french_accents_fold_before_stemming():
    assert analysed("L'électricité des centrales, façade, œuvre", "fr") == analysed(
        "L electricite des centrale facade oeuvre", "fr"
    )
    assert analysed("électricité", "fr") == "electricit"


def test_english_is_stemmed():
    assert analysed("Houses housing", "en") == "hous hous"


def test_folding_keeps_other_scripts_marks():
    assert fold("Zürich") == "zurich"
    assert fold("हिन्दी") == "हिन्दी"  # Devanagari vowel signs are part of the letters
