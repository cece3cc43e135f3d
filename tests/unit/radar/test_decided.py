"""Queries decided by where a paper holds their keys: the same answer as the evaluator."""

from __future__ import annotations

import pytest

from academichub.radar.anchors import Key, pair_key, tagged_key
from academichub.radar.compiled import DocView, PrefixRegistry
from academichub.radar.decided import decide, decided_keys, field_sets, sets_of
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from tests.unit.radar.factories import doc

PAPER = doc(
    "Quantization of spin chains",
    "Spin waves and machine learning of rotations.",
    categories=["quant-ph", "cs.LG"],
    announce_type="replace",
)


def states_of(keys: tuple[Key, ...]) -> dict[Key, int]:
    """Each key's state in PAPER, read as the index reads it."""
    registry = PrefixRegistry()
    for key in keys:
        if isinstance(key, str) and key.startswith(tagged_key("prefix", "")):
            registry.add(key.removeprefix(tagged_key("prefix", "")))
    view = DocView(PAPER, registry)
    every: set[Key] = set(view.title_set | view.abstract_set)
    every |= view.title_pairs | view.abstract_pairs
    every |= view.title_prefixes | view.abstract_prefixes
    every |= {tagged_key("cat", c) for c in view.categories} | {
        tagged_key("source", view.source),
        tagged_key("type", "replace"),
    }
    sets = field_sets(view, every)
    states = {}
    for key in keys:
        at = sets_of(key)
        states[key] = (key in sets[at]) | ((key in sets[at + 1]) << 1)
    return states


@pytest.mark.parametrize(
    "query",
    [
        "spin",  # title and abstract
        "title:spin",
        "abstract:quantization",  # only in the title
        '"machine learning"',
        '"spin machine"',  # both words, never side by side
        "quantiz*",
        "spin OR harvesting",
        "harvesting OR title:waves",
        "spin -learning",
        "spin -harvesting",
        "(spin OR magnon) NOT type:replace",
        "spin cat:cs.LG -abstract:chains",
        "source:arxiv -rotations",
        "-harvesting",
    ],
)
def test_the_states_of_its_keys_give_what_the_evaluator_gives(query: str) -> None:
    node = parse_query(query)
    keys = decided_keys(node)
    assert keys is not None
    assert decide(node, states_of(keys)) == evaluate(node, PAPER)


def test_keys_are_those_of_the_leaves_in_query_order_each_once() -> None:
    node = parse_query('spin OR ("machine learning" -spin) OR quantiz* OR cat:cs.LG')
    assert decided_keys(node) == (
        "spin",
        pair_key("machin", "learn"),
        tagged_key("prefix", "quantiz"),
        tagged_key("cat", "cs.lg"),
    )


@pytest.mark.parametrize(
    "query",
    [
        "author:dupont spin",  # a surname is the last name token, not any token
        '"spin wave chains"',  # three words: not one pair
        "cat:cs.* spin",  # a group
        "source:journal:* spin",
        "a1 OR b2 OR c3 OR d4 OR e5",  # more keys than a table of states is worth
    ],
)
def test_queries_not_decided_by_their_keys_are_left_to_run(query: str) -> None:
    assert decided_keys(parse_query(query)) is None
