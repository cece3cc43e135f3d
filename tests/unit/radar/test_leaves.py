"""What each leaf says about itself holds: its key's state is its state, its term reads
back to it, and its probes find what they should."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from academichub.contracts import MatchedTerm, Paper
from academichub.radar.ast import And, Author, Leaf, Not, Or, Phrase
from academichub.radar.document import PaperDocument
from academichub.radar.keys import kind_of, pair_key, tagged_key
from academichub.radar.leaves import Probe, fired_fields, leaf_of, spans, state
from academichub.radar.parser import parse_query
from academichub.radar.view import (
    PairRegistry,
    PaperView,
    PrefixRegistry,
    key_sets,
    paper_keys,
    sets_at,
)
from tests.unit.radar.factories import doc
from tests.unit.radar.strategies import leaves, papers

EVERY_KIND = {"pair": 1, "prefix": 1, "author": 1, "cat": 1, "cat*": 1, "source": 1}
EVERY_KIND |= {"source*": 1, "type": 1}


def key_state(leaf: Leaf, document: PaperDocument) -> int:
    """The state of the leaf's key, read as the radar index reads it."""
    key = leaf.key()
    assert key is not None
    prefixes, pairs = PrefixRegistry(), PairRegistry()
    if kind_of(key) == "prefix":
        prefixes.add(key)
    if isinstance(key, tuple):
        pairs.add(key)
    view = PaperView(document, prefixes, pairs)
    sets = key_sets(view, paper_keys(view, EVERY_KIND))
    at = sets_at(key)
    return (key in sets[at]) | ((key in sets[at + 1]) << 1)


@settings(max_examples=400, deadline=None)
@given(leaves, papers)
def test_a_leafs_key_holds_where_the_leaf_holds(leaf: Leaf, paper: Paper) -> None:
    document = PaperDocument.from_paper(paper)
    found = state(leaf, document)
    if leaf.key() is not None:
        assert fired_fields(leaf, key_state(leaf, document)) == fired_fields(leaf, found)


@settings(max_examples=300, deadline=None)
@given(leaves)
def test_the_reported_term_reads_back_to_the_leaf(leaf: Leaf) -> None:
    for reading in leaf.readings():
        read_back = leaf_of(MatchedTerm(field=reading.field, term=leaf.term()))
        assert [r for r in read_back.readings() if r.field == reading.field] == [reading]


def leaf(text: str) -> Leaf:
    node = parse_query(text)
    assert not isinstance(node, And | Or | Not)
    return node


def test_keys_say_exactly_what_the_leaf_says() -> None:
    texts = ["spin", '"machine learning"', '"spin wave chains"', "quantiz*", "cat:cs.*"]
    keys = [leaf(text).key() for text in [*texts, "author:x", 'author:"x y"']]
    assert keys == [
        "spin",
        pair_key("machine", "learning"),
        None,  # three stems: more than any one pair
        tagged_key("prefix", "quantiz"),
        tagged_key("cat*", "cs."),
        tagged_key("author", "x"),  # any word of a name
        None,  # a full name is more than its words
    ]


@pytest.mark.parametrize(
    ("probe", "tokens", "expected"),
    [
        (Probe("title", "term", ("spin",)), ["spin", "chain", "spin"], [(0, 0), (2, 2)]),
        (Probe("title_raw", "prefix", ("rot",)), ["rotations", "of", "rotor"], [(0, 0), (2, 2)]),
        (Probe("title", "phrase", ("a", "b")), ["a", "b", "a", "c", "a", "b"], [(0, 1), (4, 5)]),
        (Probe("title", "phrase", ("a", "b", "a")), ["a", "b", "a", "b", "a"], [(0, 2), (2, 4)]),
        (Probe("title", "phrase", ("a", "b")), ["b", "a"], []),
    ],
)
def test_probe_spans(probe: Probe, tokens: list[str], expected: list[tuple[int, int]]) -> None:
    assert list(spans(probe, tokens)) == expected


def test_authors_are_read_one_name_at_a_time() -> None:
    paper = doc(authors=["Alice Smith", "Bob Jones"])
    assert state(leaf('author:"Alice Smith"'), paper) == 3
    assert state(leaf('author:"Smith Bob"'), paper) == 0
    assert state(leaf("author:jones"), paper) == 3
    assert state(leaf("author:alice"), paper) == 3
    assert state(leaf('author:"Jones Bob"'), paper) == 3
    assert state(leaf('author:"B Jones"'), paper) == 3
    assert state(leaf('author:"Alice Jones"'), paper) == 0


def test_a_field_nobody_reports_is_refused() -> None:
    with pytest.raises(ValueError, match="no leaf reports terms in the field 'year'"):
        leaf_of(MatchedTerm(field="year", term="2026"))


def test_leaves_the_parser_never_builds_are_refused() -> None:
    with pytest.raises(ValueError, match="at least two tokens"):
        Phrase("text", ("spin",), "spin")
    with pytest.raises(ValueError, match="at least one name token"):
        Author((), "")
