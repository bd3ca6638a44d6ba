"""The translation catalogues in masthead/locale: complete, checked, and Arabic's six plural forms in gettext's
order."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
CATALOGUES = [(language, domain) for language in TRANSLATED for domain in ("django", "djangojs")]


def catalogue(language: str, domain: str):
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    assert path.is_file(), f"{path} is missing: run makemessages -l {language}"
    with path.open("rb") as source:
        return read_po(source, locale=language)


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(language, domain):
    messages = [message for message in catalogue(language, domain) if message.id]
    assert len(messages) > (5 if domain == "djangojs" else 100)
    untranslated = [
        message.id
        for message in messages
        if not message.string or (isinstance(message.string, tuple) and not all(message.string))
    ]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert untranslated == [], f"untranslated in {language}/{domain}: {untranslated[:5]}"
    assert fuzzy == [], f"fuzzy in {language}/{domain}: {fuzzy[:5]}"


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_translations_keep_the_placeholders_of_their_source(language, domain):
    problems = [
        (message.id, [str(error) for error in errors]) for message, errors in catalogue(language, domain).check()
    ]
    assert problems == []


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_arabic_has_six_plural_forms_in_gettexts_order(domain):
    arabic = catalogue("ar", domain)
    header = dict(arabic.mime_headers)["Plural-Forms"]
    # 4 is "many" (11-99) and 5 "other" (100, 101, 102...), as in Django's own Arabic catalogue.
    assert header.replace(" ", "") == (
        "nplurals=6;plural=n==0?0:n==1?1:n==2?2:n%100>=3&&n%100<=10?3:n%100>=11&&n%100<=99?4:5;"
    )
    plurals = [message for message in arabic if message.id and isinstance(message.id, tuple)]
    assert plurals and all(len(message.string) == 6 for message in plurals)
