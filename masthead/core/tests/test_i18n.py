"""Which language a request speaks: its address decides (path, lang, next), never a header, and malformed
values fall back to the default instead of failing."""

import pytest
from django.test import RequestFactory

from masthead.core.i18n import language_for_request


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("/ar/some-piece/", "ar"),
        ("/fr/", "fr"),
        ("/members/account/?lang=fr", "fr"),
        ("/members/sign-in/?next=/ar/solar/", "ar"),
        ("/members/sign-in/?next=/fr/x/&lang=ar", "ar"),
        ("/members/sign-in/?next=http://[broken", "en"),
        ("/members/sign-in/?lang=xx", "en"),
        ("/about/", "en"),
        ("/arabic/", "en"),
    ],
)
def test_the_address_decides_the_language(address, expected):
    request = RequestFactory().get(address, HTTP_ACCEPT_LANGUAGE="fr")
    assert language_for_request(request) == expected
