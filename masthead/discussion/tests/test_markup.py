"""The comment renderer: the Markdown subset, link attributes, and never any script, for any input."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.discussion.markup import (
    MalformedMarkdown,
    check_markdown,
    count_links,
    quote_markdown,
    render_comment,
)


class _Elements(HTMLParser):
    """Every element and attribute the browser would see in the rendered HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, [(name, value or "") for name, value in attrs]))

    handle_startendtag = handle_starttag


NASTY_PIECES = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))", "[x](java\nscript:alert(1))", "<a href='javascript:x'>y</a>", "&#106;avascript:",
    "<svg onload=alert(1)>", "<iframe src=//evil>", "`<script>`", "```\n<script>\n```", "> <b onclick=x>",
    "[a](data:text/html;base64,PHNjcmlwdD4=)", "<javascript:alert(1)>", "**", "_", "[", "](", "\"", "'", "\n\n",
    "- ", "1. ", "<", ">", "<style>", "onmouseover=", "<a href=x onfocus=y>",
]


def assert_safe(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        assert tag not in {"script", "iframe", "img", "style", "svg", "object", "embed"}, html
        for name, value in attrs:
            assert not name.lower().startswith("on"), html
            if name in {"href", "src", "action", "formaction"}:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower().split(":", 1)[0]
                assert scheme not in {"javascript", "vbscript", "data"}, html


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_renders_without_script_handlers_or_javascript_urls(text):
    assert_safe(render_comment(text))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(NASTY_PIECES), st.text(max_size=12)), max_size=20).map("".join))
def test_hostile_fragments_in_any_combination_render_safely(text):
    assert_safe(render_comment(text))


def test_the_markdown_subset_renders():
    html = render_comment(
        "Some *emphasis* and **strength**.\n\n> a quote\n\n- one\n- two\n\n1. first\n\n`inline` and\n\n```\nblock\n```"
    )
    for fragment in ("<em>emphasis</em>", "<strong>strength</strong>", "<blockquote>", "<ul>", "<li>one</li>",
                     "<ol>", "<code>inline</code>", "<pre><code>block"):
        assert fragment in html


def test_links_get_nofollow_ugc_noopener():
    html = render_comment("See [the report](https://example.org/report).")
    assert '<a href="https://example.org/report" rel="nofollow ugc noopener">the report</a>' in html


def test_raw_html_headings_and_images_are_not_rendered():
    html = render_comment("# Heading\n\n<b>bold</b> ![img](https://example.org/x.png)")
    assert "<h1" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_javascript_link_is_not_a_link():
    html = render_comment("[x](javascript:alert(1)) and <a href=\"javascript:y\">z</a>")
    assert "<a" not in html  # both stay text: "&lt;a href=..." is not an element


@pytest.mark.parametrize(
    "text, message",
    [
        ("```\nunclosed code", "never closed"),
        ("> " * 12 + "deep", "nested 12 levels"),
        ("bell \x07 character", "control characters"),
    ],
)
def test_malformed_markdown_is_refused_with_a_reason(text, message):
    with pytest.raises(MalformedMarkdown, match=message):
        check_markdown(text)


def test_ordinary_markdown_passes_the_check():
    check_markdown("> quote\n> > nested\n\n- a\n  - b\n\n```\ncode\n```")


def test_links_are_counted_bare_or_marked_up():
    assert count_links("[a](https://a.example) and http://b.example and <https://c.example>") == 3


def test_quote_markdown_quotes_every_line():
    assert quote_markdown("Ana", "one\n\ntwo") == "Ana wrote:\n\n> one\n>\n> two\n\n"
