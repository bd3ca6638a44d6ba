"""A feed item's HTML sanitised with nh3 into the article body's blocks."""

from masthead.sources.body import html_to_blocks

HOSTILE = """<p>Safe <strong>bold</strong> and <em>italic</em>.</p>
<script>steal(document.cookie)</script><style>body{display:none}</style>
<p onclick="steal()">A <a href="javascript:alert(1)">bad link</a> and a
<a href="https://example.org/x" target="_blank" style="color:red">good one</a>.</p>
<img src="https://example.org/a.jpg" onerror="steal()"><iframe src="https://ads.example.net/"></iframe>
<h2>A <i>heading</i></h2><blockquote><p>Quoted words.</p></blockquote>
<ol><li>One</li><li>Two</li></ol>
Loose text at the end."""


def test_scripts_styles_handlers_and_unsafe_links_go_and_the_rest_becomes_blocks():
    body = html_to_blocks(HOSTILE)
    text = repr(body.blocks)
    gone = ("script", "steal", "display:none", "onclick", "javascript:", "style=", "target=", "iframe", "<img")
    assert [word for word in gone if word in text] == []
    assert body.blocks == [
        {"type": "paragraph", "value": "<p>Safe <b>bold</b> and <i>italic</i>.</p>"},
        {"type": "paragraph",
         "value": '<p>A <a>bad link</a> and a\n<a href="https://example.org/x">good one</a>.</p>'},
        {"type": "section_heading", "value": "A heading"},
        {"type": "block_quote", "value": {"quote": "Quoted words.", "attribution": ""}},
        {"type": "paragraph", "value": "<ol><li>One</li><li>Two</li></ol>"},
        {"type": "paragraph", "value": "<p>Loose text at the end.</p>"},
    ]
    assert body.images_left_out == 1


def test_plain_text_and_empty_input():
    assert html_to_blocks("Just words &amp; more.").blocks == [
        {"type": "paragraph", "value": "<p>Just words &amp; more.</p>"}
    ]
    assert html_to_blocks("").blocks == []
    assert html_to_blocks("<p> </p><script>x()</script>").blocks == []
