"""The preview cut: a marker block, or the first N paragraphs, never the whole body."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from masthead.articles.blocks import split_at_preview_cut


def blocks(*types):
    return [SimpleNamespace(block_type=kind, n=position) for position, kind in enumerate(types)]


def kinds(part):
    return [block.block_type for block in part]


def test_marker_wins_over_the_paragraph_count():
    body = blocks("paragraph", "image", "preview_cut", "paragraph", "preview_cut", "paragraph")
    preview, gated = split_at_preview_cut(body, 5)
    assert kinds(preview) == ["paragraph", "image"]
    assert kinds(gated) == ["paragraph", "paragraph"]  # a second marker is dropped, not rendered


def test_first_n_paragraphs_without_a_marker():
    body = blocks(
        "section_heading",
        "paragraph",
        "pull_quote",
        "paragraph",
        "paragraph",
        "paragraph",
        "image",
        "paragraph",
        "paragraph",
    )
    preview, gated = split_at_preview_cut(body, 2)
    assert kinds(preview) == ["section_heading", "paragraph", "pull_quote", "paragraph"]
    assert kinds(gated)[0] == "paragraph" and len(gated) == 5


def test_a_short_piece_keeps_a_gated_part():
    preview, gated = split_at_preview_cut(blocks("paragraph", "paragraph"), 3)
    assert kinds(preview) == ["paragraph"] and kinds(gated) == ["paragraph"]
    preview, gated = split_at_preview_cut(blocks("paragraph"), 3)
    assert preview == [] and kinds(gated) == ["paragraph"]


def test_raw_json_blocks_split_the_same_way():
    raw = [{"type": "paragraph"}, {"type": "preview_cut"}, {"type": "paragraph"}]
    preview, gated = split_at_preview_cut(raw, 3, type_of=lambda block: block["type"])
    assert preview == [{"type": "paragraph"}] and gated == [{"type": "paragraph"}]


@given(
    st.lists(st.sampled_from(["paragraph", "image", "section_heading", "preview_cut"]), max_size=25),
    st.integers(min_value=0, max_value=10),
)
def test_preview_and_gated_part_partition_the_body_without_markers(types, paragraphs):
    body = blocks(*types)
    preview, gated = split_at_preview_cut(body, paragraphs)
    content = [block for block in body if block.block_type != "preview_cut"]
    assert [block.n for block in preview + gated] == [block.n for block in content]
    if "paragraph" in types and "preview_cut" not in types:
        assert any(block.block_type == "paragraph" for block in gated)  # the preview never takes everything
