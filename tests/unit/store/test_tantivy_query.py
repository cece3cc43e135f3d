"""Which compiled queries score every match alike (and so rank newest first)."""

from __future__ import annotations

import pytest

from academichub.radar.parser import parse_query
from academichub.store.embedded.tantivy_query import uniform_score


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
    ],
)
def test_constant_leaves_joined_by_and_score_alike(query: str) -> None:
    assert uniform_score(parse_query(query))


@pytest.mark.parametrize(
    "query",
    [
        "quantum",
        '"error correction"',
        "entangle*",
        "author:noether OR author:curie",  # a paper by both scores twice
        "author:noether quantum",
        "cat:quant-ph AND (spin OR qubit)",
    ],
)
def test_text_leaves_and_ors_do_not(query: str) -> None:
    assert not uniform_score(parse_query(query))
