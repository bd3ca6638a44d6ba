"""The PHP unserializer: WordPress's meta values read, everything that could run code or loop refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masthead.wordpress.phpserial import PHPSerialError, loads


def dumps(value) -> str:
    """PHP's serialize(), for the values the reader supports (the test's own reference)."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    return f"a:{len(value)}:{{" + "".join(dumps(k) + dumps(v) for k, v in value.items()) + "}"


def test_wpdiscuz_separate_votes():
    assert loads('a:2:{s:4:"like";i:5;s:7:"dislike";i:1;}') == {"like": 5, "dislike": 1}


def test_string_lengths_are_bytes():
    assert loads('a:1:{s:3:"key";s:13:"¯\\_(ツ)_/¯";}') == {"key": "¯\\_(ツ)_/¯"}


@pytest.mark.parametrize("text", [
    'O:8:"stdClass":0:{}',  # an object: never instantiated
    'C:3:"Foo":0:{}',
    'a:1:{i:0;r:1;}',  # references
    's:10:"short";',  # a length that lies
    'a:2:{i:0;i:1;}',  # fewer entries than stated
    'i:1;trailing',
    "a:1:{" * 40 + "i:0;i:0;" + "}" * 40,  # nested too deep
])
def test_refused(text):
    with pytest.raises(PHPSerialError):
        loads(text)


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.dictionaries(st.integers() | st.text(), children, max_size=4),
    max_leaves=12,
)


@given(values)
def test_round_trip(value):
    assert loads(dumps(value)) == value


@given(st.lists(st.sampled_from(['a:', 's:', 'i:', 'd:', 'b:', 'N;', '1', '-1', '2', ':', ';', '{', '}', '"',
                                 'x', 'é', 'O:', '99999999999']), max_size=30).map("".join))
def test_any_text_is_read_or_refused_with_phpserialerror(text):
    try:
        loads(text)
    except PHPSerialError:
        pass
