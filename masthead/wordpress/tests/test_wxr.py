"""The WXR reader: every fixture read, a broken file refused with its line and column, hostile XML refused."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.wordpress import wxr
from masthead.wordpress.tests.conftest import FIXTURES, WELL_FORMED


def read(path):
    channel = wxr.Channel()
    return channel, list(wxr.read_export(path, channel))


@pytest.mark.parametrize("path", WELL_FORMED, ids=lambda path: path.name)
def test_every_fixture_reads(path):
    channel, records = read(path)
    items = [record for record in records if isinstance(record, wxr.Item)]
    assert len(items) == path.read_text(encoding="utf-8").count("<item>")
    assert channel.wxr_version in wxr.KNOWN_VERSIONS
    assert all(item.wp_id for item in items)


def test_fixture_folder_is_there():
    assert len(WELL_FORMED) >= 8, f"the WXR fixtures are missing from {FIXTURES}"


def test_malformed_is_refused_with_line_and_column():
    with pytest.raises(wxr.WXRError) as caught:
        read(FIXTURES / "malformed.xml")
    assert (caught.value.line, caught.value.column) == (90, 3)
    assert "line 90, column 3" in str(caught.value) and "mismatched tag" in str(caught.value)


def test_theme_unit_test_data_fields():
    channel, records = read(FIXTURES / "theme-unit-test-data.xml")
    items = [record for record in records if isinstance(record, wxr.Item)]
    assert len(items) == 186
    assert sum(len(item.comments) for item in items) == 33
    assert channel.source == "https://wpthemetestdata.wordpress.com"
    authors = [record for record in records if isinstance(record, wxr.Author)]
    assert {author.login for author in authors} >= {"themedemos"}


def test_utf8_challenges_survive():
    _, records = read(FIXTURES / "wxr-utf-8-challenges.xml")
    text = FIXTURES.joinpath("wxr-utf-8-challenges.xml").read_text(encoding="utf-8")
    item = next(record for record in records if isinstance(record, wxr.Item))
    assert item.title and item.title in text


def test_serialized_comment_meta_is_read():
    _, records = read(FIXTURES / "test-serialized-comment-meta.xml")
    comment = records[0].comments[0]
    assert comment.meta == {"string": "¯\\_(ツ)_/¯", "array": {"key": "¯\\_(ツ)_/¯"}}


def test_backslashes_survive():
    _, records = read(FIXTURES / "slashes.xml")
    item = next(record for record in records if isinstance(record, wxr.Item))
    assert "\\" in item.content and "\\" in item.comments[0].content


def write(tmp_path, body: str, name="export.xml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


CHANNEL = """<rss version="2.0" xmlns:wp="{wp}" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
{version}<item><title>One</title><wp:post_id>5</wp:post_id>{extra}</item></channel></rss>"""


def test_entity_expansion_bomb_is_refused(tmp_path):
    bomb = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">' \
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><rss><channel><title>&c;</title></channel></rss>'
    with pytest.raises(wxr.WXRError, match="entit"):
        read(write(tmp_path, bomb))


def test_external_entity_is_refused(tmp_path):
    external = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>' \
               "<rss><channel><title>&secret;</title></channel></rss>"
    with pytest.raises(wxr.WXRError, match="entit"):
        read(write(tmp_path, external))


def test_not_an_rss_document_is_refused(tmp_path):
    with pytest.raises(wxr.WXRError, match="does not start with <rss>"):
        read(write(tmp_path, "<html><body/></html>"))


def test_invalid_utf8_is_refused_with_position(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(b'<rss version="2.0"><channel><title>caf\xe9</title></channel></rss>')
    with pytest.raises(wxr.WXRError) as caught:
        read(path)
    assert caught.value.line == 1 and caught.value.column is not None


@pytest.mark.parametrize("version, warned", [("", True), ("<wp:wxr_version>banana</wp:wxr_version>", True),
                                             ("<wp:wxr_version>1.2</wp:wxr_version>", False)])
def test_missing_or_invalid_version_is_read_with_a_warning(tmp_path, version, warned):
    path = write(tmp_path, CHANNEL.format(wp="https://wordpress.org/export/1.2/", version=version, extra=""))
    channel, records = read(path)
    assert [record.wp_id for record in records] == ["5"]
    assert bool(channel.warnings) is warned


def test_elements_in_a_foreign_namespace_are_ignored(tmp_path):
    extra = ('<evil:post_type xmlns:evil="http://evil.example/export/1.2/">page</evil:post_type>'
             "<wp:post_type>post</wp:post_type><wp:post_type>attachment</wp:post_type>"
             "<content:encoded><![CDATA[<p>a]]]]><![CDATA[>b &amp;</p>]]> &amp; more</content:encoded>")
    path = write(tmp_path, CHANNEL.format(wp="http://wordpress.org/export/1.1/", version="", extra=extra))
    _, records = read(path)
    assert records[0].post_type == "post"  # the first WordPress one; the foreign element did not count
    assert records[0].content == "<p>a]]>b &amp;</p> & more"


def test_bare_categories_count_only_when_no_other_names_one(tmp_path):
    wp = "http://wordpress.org/export/1.0/"
    bare = CHANNEL.format(wp=wp, version="", extra="<category>Old News</category>")
    both = CHANNEL.format(wp=wp, version="", extra='<category>Old News</category>'
                                                  '<category domain="category" nicename="old">Old News</category>')
    assert read(write(tmp_path, bare, "bare.xml"))[1][0].terms == [("category", "", "Old News")]
    assert read(write(tmp_path, both, "both.xml"))[1][0].terms == [("category", "old", "Old News")]


PARTS = ['<rss version="2.0">', "<channel>", "</channel>", "</rss>", "<item>", "</item>", "<title>", "</title>",
         '<wp:post_id xmlns:wp="http://wordpress.org/export/1.2/">', "</wp:post_id>", "<![CDATA[", "]]>", "&amp;",
         "&bogus;", "<!DOCTYPE rss>", '<?xml version="1.0" encoding="latin-9"?>', "\x00", "é", "\udcff", "text"]


@settings(max_examples=150)
@given(st.lists(st.sampled_from(PARTS), max_size=25).map("".join))
def test_any_document_is_read_or_refused_with_a_wxr_error(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("fuzz") / "export.xml"
    path.write_bytes(document.encode("utf-8", errors="surrogateescape"))
    try:
        read(path)
    except wxr.WXRError:
        pass


def test_unknown_encoding_is_refused_clearly(tmp_path):
    # Found by the property test above: expat's codec lookup raised LookupError, a traceback for the user.
    path = write(tmp_path, '<?xml version="1.0" encoding="latin-9"?><rss><channel/></rss>')
    with pytest.raises(wxr.WXRError, match="encoding that cannot be read"):
        read(path)
