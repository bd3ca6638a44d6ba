"""The CSRF token filled into cached pages: Django's check accepts it; its masks are fresh and even."""

from collections import Counter

from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from masthead.core.holes import masked_token

secrets_ = st.text(alphabet=CSRF_ALLOWED_CHARS, min_size=32, max_size=32)


def accepted(secret: str, token: str) -> bool:
    """Whether Django's CSRF middleware lets a form post with `token` from a browser holding `secret` in."""
    request = RequestFactory().post("/discussion/1/post/", {"csrfmiddlewaretoken": token})
    request.COOKIES["csrftoken"] = secret
    middleware = CsrfViewMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    return middleware.process_view(request, lambda request: HttpResponse(), (), {}) is None


@given(
    secret=secrets_,
    position=st.integers(min_value=0, max_value=63),
    shift=st.integers(min_value=1, max_value=61),
)
def test_djangos_csrf_check_accepts_the_token_and_refuses_it_altered(secret, position, shift):
    token = masked_token(secret)
    assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
    assert accepted(secret, token)
    chars = CSRF_ALLOWED_CHARS
    altered = chars[(chars.index(token[position]) + shift) % len(chars)]
    assert not accepted(secret, token[:position] + altered + token[position + 1 :])


def test_each_token_has_a_fresh_mask_with_every_character_equally_likely():
    secret = "a" * 32
    tokens = [masked_token(secret) for _ in range(3_000)]
    assert len(set(tokens)) == len(tokens)
    counts = Counter(char for token in tokens for char in token[:32])
    expected = 3_000 * 32 / len(CSRF_ALLOWED_CHARS)
    # Taking random bytes modulo 62 without dropping the top 8 values would make 8 characters 25% likelier.
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert all(0.88 * expected < count < 1.12 * expected for count in counts.values()), counts
