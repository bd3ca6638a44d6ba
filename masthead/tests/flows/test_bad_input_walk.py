"""Every URL pattern the site answers, walked with hostile values in each of its parameters: no answer is a 500.

The patterns come from Django's resolver (ours, Wagtail's and django-ninja's), so a new view is walked the day it
is added. Each placeholder (`<id:page_id>`, `<str:token>`, a regex group) gets a value drawn from numbers beyond
the database's integers, negative and unicode digits, empty text, NUL, very long text and path traversal; the
same values go into the query string and the form fields. GET and POST, as an anonymous reader and as a member.
"""

import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.articles.factories import make_article, paragraph
from masthead.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    str(2**64 + 1),
    str(2**63),
    str(2**63 - 1),
    str(2**31),
    "-1",
    "0",
    "1e9",
    "٣",  # an Arabic-Indic digit: `\d` matches it, int() reads it as 3
    "é",
    "😀",
    "",
    "%00",
    "\x00",
    "%ff",
    "x" * 5000,
    "../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "'\"<>&",
    " ",
]
# Query and form fields that some view reads; every other view ignores them.
FIELDS = ["page", "offset", "limit", "q", "next", "sort", "year", "month", "body", "email", "token", "tier"]

_PLACEHOLDER = re.compile(r"<(?:[^>:]+:)?[^>]+>")


def _regex_template(regex: str) -> str:
    """A regex URL pattern (Wagtail has a few) as a template: each top-level group or `.*` becomes `{}`."""
    regex = regex.removeprefix("^").removesuffix("$").replace(".*", "{}")
    template, depth = [], 0
    for character in regex:
        if character == "(":
            if depth == 0:
                template.append("{}")
            depth += 1
        elif character == ")":
            depth -= 1
        elif depth == 0:
            template.append(character)
    return "".join(template).replace("\\", "").replace("^", "")


def _template(pattern) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_template(text)
    return _PLACEHOLDER.sub("{}", text.replace("{", "{{").replace("}", "}}"))


def url_templates(resolver=None, prefix: str = "") -> list[str]:
    """Every pattern of the resolver, recursively, as a path with `{}` where a value goes."""
    templates = []
    for entry in (resolver or get_resolver()).url_patterns:
        template = prefix + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            templates.extend(url_templates(entry, template))
        elif isinstance(entry, URLPattern):
            templates.append("/" + template)
    return sorted(set(templates))


TEMPLATES = url_templates()


def test_the_walk_sees_every_kind_of_address():
    # The walk is only as good as its list: ours, the APIs', Wagtail's pages, admin and regex patterns.
    for expected in [
        "/articles/{}/inline-feedback/passage/{}/",
        "/api/articles/{}/",
        "/discussion/api/comments/{}/vote",
        "/annotations/api/articles/{}/passages",
        "/archive/{}/{}/",
        "/members/payments/stripe/webhook/",
        "/documents/{}/{}",
        "/{}",
    ]:
        assert expected in TEMPLATES
    assert len([template for template in TEMPLATES if template.startswith("/admin/")]) > 100


@pytest.fixture
def article(section):
    return make_article(section=section, title="The dry reservoir", body=[paragraph("The reservoir fell.")])


def values(article_id: int):
    """Hostile values, an existing article's id (so a walk gets past the first lookup) and random text."""
    return st.one_of(
        st.sampled_from(HOSTILE + [str(article_id)]),
        st.integers().map(str),
        st.text(max_size=40),
    )


def _fill(template: str, draw_value) -> str:
    return template.format(*(quote(draw_value(), safe="/%") for _ in range(template.count("{}"))))


def _walk(client, article, data, *, sign_in=None):
    strategy = values(article.pk)
    for template in TEMPLATES:
        path = _fill(template, lambda: data.draw(strategy))
        fields = dict.fromkeys(FIELDS, data.draw(strategy))  # one draw per address keeps an example small
        for method in ("get", "post"):
            if sign_in is not None:
                sign_in()  # signing out (a walked address) must not end the member's walk
            if method == "get":
                response = client.get(f"{path}?{urlencode(fields)}")
            else:
                response = client.post(path, fields)
            assert response.status_code < 500, f"{method.upper()} {path} {fields}: {response.status_code}"


WALK = settings(
    max_examples=2,
    deadline=None,
    # One example walks every address, so it is large and slow by design; the article and member are made once
    # per test and are only read by the walk.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@WALK
@given(data=st.data())
def test_no_address_answers_an_anonymous_reader_with_a_500(client, article, data):
    _walk(client, article, data)


@WALK
@given(data=st.data())
def test_no_address_answers_a_member_with_a_500(client, article, data):
    user = MemberFactory().user

    def sign_in():
        if SESSION_KEY not in client.session:
            client.force_login(user)

    _walk(client, article, data, sign_in=sign_in)


@pytest.mark.parametrize("value", [str(2**64 + 1), "\x00", "../../../../etc/passwd"])
def test_every_reader_address_takes_the_worst_values_from_a_member(client, article, value):
    # The values that have broken a view before, in every placeholder and field at once, every run (the walks
    # above draw at random). Wagtail's admin is left to the walks: a member is turned away at its door.
    client.force_login(MemberFactory().user)
    for template in TEMPLATES:
        if template.startswith("/admin/"):
            continue
        path = _fill(template, lambda: value)
        fields = dict.fromkeys(FIELDS, value)
        for response in (client.get(path, fields), client.post(path, fields)):
            assert response.status_code < 500, f"{path} {value!r}: {response.status_code}"
            if SESSION_KEY not in client.session:
                client.force_login(MemberFactory().user)
