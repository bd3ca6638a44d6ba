"""Post bodies to StreamField blocks: classic HTML, Gutenberg comments, shortcodes, and what sanitising removes."""

import re

from hypothesis import given
from hypothesis import strategies as st

from masthead.articles.blocks import ArticleBodyBlock
from masthead.articles.blocks import PARAGRAPH_TAGS
from masthead.wordpress.html_blocks import convert


def types(conversion):
    return [block["type"] for block in conversion.blocks]


def test_classic_editor_text_is_split_into_paragraphs_at_blank_lines():
    result = convert("First line\nstill first <strong>bold</strong>\n\nSecond &amp; last")
    assert result.blocks == [
        {"type": "paragraph", "value": "<p>First line<br>still first <b>bold</b></p>"},
        {"type": "paragraph", "value": "<p>Second &amp; last</p>"},
    ]


def test_gutenberg_blocks_map_and_their_comments_go():
    body = ('<!-- wp:heading --><h3>Costs</h3><!-- /wp:heading -->\n<!-- wp:list --><ol><li>one</li></ol>'
            '<!-- /wp:list --><!-- wp:pullquote --><figure class="wp-block-pullquote"><blockquote><p>Loud</p>'
            '</blockquote></figure><!-- /wp:pullquote --><!-- wp:group --><div class="wp-block-group">'
            '<p>Inside a group</p></div><!-- /wp:group -->')
    result = convert(body)
    assert types(result) == ["section_heading", "paragraph", "pull_quote", "paragraph"]
    assert result.blocks[1]["value"] == "<ol><li>one</li></ol>"
    assert "wp:" not in str(result.blocks)


def test_caption_shortcode_becomes_a_captioned_image_when_the_image_is_found():
    body = '[caption id="attachment_9" width="300"]<a href="/big.jpg"><img src="http://old.example/a.jpg" ' \
           'alt="Quay at dusk"></a> The quay at dusk[/caption]'
    result = convert(body, find_image=lambda address: 12 if address == "http://old.example/a.jpg" else None)
    assert result.blocks == [{"type": "image", "value": {
        "image": 12, "caption": "The quay at dusk", "credit": "", "alt_text": "Quay at dusk"}}]


def test_missing_images_are_listed_not_invented():
    result = convert('<p><img src="http://old.example/gone.jpg"></p>[gallery ids="4,5"]')
    assert result.blocks == []
    assert result.missing_images == ["http://old.example/gone.jpg", "attachment:4", "attachment:5"]


def test_embeds_from_shortcode_block_and_bare_url():
    body = ('[embed]https://vimeo.com/1[/embed]\n\nhttps://www.youtube.com/watch?v=x\n\n'
            '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">https://example.org/v</div></figure>')
    assert [block["value"] for block in convert(body).blocks] == [
        "https://vimeo.com/1", "https://www.youtube.com/watch?v=x", "https://example.org/v"]


def test_unknown_shortcodes_stay_as_text_and_are_counted():
    result = convert("Before [contact-form to=\"x\"] after [contact-form]")
    assert result.blocks[0]["value"] == '<p>Before [contact-form to="x"] after [contact-form]</p>'
    assert result.unknown_shortcodes == {"contact-form": 2}


def test_scripts_styles_and_unsafe_links_are_removed():
    body = '<p onclick="x()">Hi <a href="javascript:alert(1)">a</a> <a href="https://ok.example">b</a></p>' \
           "<script>alert(1)</script><style>p{}</style><iframe src='javascript:alert(1)'></iframe>"
    result = convert(body)
    assert result.blocks == [{"type": "paragraph", "value": '<p>Hi <a>a</a> <a href="https://ok.example">b</a></p>'}]


def test_blocks_are_valid_for_the_article_body():
    body = "<h2>Head</h2><p>Text</p><blockquote><p>Q</p><cite>Who</cite></blockquote><ul><li>i</li></ul>"
    stream = ArticleBodyBlock().to_python(convert(body).blocks)
    ArticleBodyBlock().clean(stream)  # raises when a block's value does not fit its type


PIECES = list("<>/=\"' abcpiult[]&;\n") + ["<p>", "<script>", "<a href=x>", "</a>", "[caption]", "<img src=y>",
                                              "<h2>", "<blockquote>", "<ul><li>", "<!-- wp:x -->", "javascript:"]


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_input_gives_only_allowed_markup(body):
    for block in convert(body).blocks:
        if block["type"] == "paragraph":
            tags = set(re.findall(r"</?([a-z0-9]+)", block["value"]))
            assert tags <= PARAGRAPH_TAGS | {"p"}
            assert "<script" not in block["value"] and 'href="javascript' not in block["value"]
