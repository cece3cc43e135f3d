"""Which compiled queries score every match alike (and so rank newest first); the cache
of compiled queries."""

from __future__ import annotations

import pytest

from academichub.radar.parser import parse_query
from academichub.store.embedded.index_schema import build_schema
from academichub.store.embedded.tantivy_query import CompiledQueries, uniform_score


@pytest.mark.parametrize(
    "query",
    [
        "author:noether",
        "cat:quant-ph",
        "source:arxiv",
        "type:new",
        "-quantum",
        "author:noether cat:quant-ph -survey",
        "cat:cs.* AND NOT (quantum OR qubit)",
        "abstract:protein*",
        "title:entangle* -cat:hep-th",
    ],
)
def test_constant_leaves_joined_by_and_score_alike(query: str) -> None:
    assert uniform_score(parse_query(query))


@pytest.mark.parametrize(
    "query",
    [
        "quantum",
        '"error correction"',
        "entangle*",  # 1, 2 or 3: in the abstract, the title or both
        "title:entangle* abstract:qubit",
        "author:noether OR author:curie",  # a paper by both scores twice
        "author:noether quantum",
        "cat:quant-ph AND (spin OR qubit)",
    ],
)
def test_text_leaves_and_ors_do_not(query: str) -> None:
    assert not uniform_score(parse_query(query))


def test_compiled_queries_are_reused_and_bounded() -> None:
    queries = CompiledQueries(build_schema(), size=2)
    quantum = queries.get(parse_query("quantum"))
    assert queries.get(parse_query("quantum")) is quantum  # an equal node, parsed again
    queries.get(parse_query("spin*"))
    queries.get(parse_query("qubit"))  # the third pushes out the least recently used
    assert queries.get(parse_query("quantum")) is not quantum
