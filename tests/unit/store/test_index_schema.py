"""How papers become tantivy documents and how literal values become tantivy regexes."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.contracts import Paper
from academichub.store.embedded import index_schema as f
from academichub.store.embedded.tantivy_query import regex_literal


def test_recency_orders_by_date_then_arrival() -> None:
    keys = [
        f.recency_key(dt.date(2026, 6, 10), 7),
        f.recency_key(dt.date(2026, 6, 10), 8),
        f.recency_key(dt.date(2026, 6, 11), 1),
    ]
    assert keys == sorted(keys)
    with pytest.raises(ValueError, match="out of range"):
        f.recency_key(dt.date(2026, 6, 10), 1 << 32)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quant", "quant"),
        ("cs.", "cs\\x{2e}"),
        ("q-bio.", "q\\x{2d}bio\\x{2e}"),
        ("journal:", "journal\\x{3a}"),
        ("infectious d", "infectious\\x{20}d"),
        ("über", "über"),
    ],
)
def test_regex_literal_escapes_everything_but_letters_and_digits(text: str, expected: str) -> None:
    assert regex_literal(text) == expected


def test_a_paper_is_indexed_with_the_evaluators_tokens() -> None:
    paper = Paper(
        id="arxiv:2606.00001",
        version=2,
        source="arxiv",
        announce_type=None,
        title="Rotations of Spins",
        abstract="Über-fast   qubits.",
        authors=("Yann LeCun", "Rémy  Dupont-Smith", "—"),
        categories=("cs.AI", "quant-ph"),
        published=dt.date(2026, 6, 10),
    )
    fields = f.to_document(paper, 5).to_dict()
    assert fields[f.ID] == ["arxiv:2606.00001"]
    assert fields[f.TITLE] == ["rotation of spin"]
    assert fields[f.TITLE_RAW] == ["rotations of spins"]
    assert fields[f.ABSTRACT_RAW] == ["uber fast qubits"]  # accents folded
    # Every form of every name (initials for given names, either end the family name),
    # a separator between them so no phrase runs from one into the next.
    assert fields[f.AUTHOR] == [
        "yann lecun | y lecun | yann l | remy dupont smith | r d smith | remy d s"
    ]
    assert fields[f.CATEGORY] == ["cs.ai", "quant-ph"]
    assert fields[f.CATEGORY_EXACT] == ["cs.AI", "quant-ph"]
    assert fields[f.SOURCE] == ["arxiv"]
    assert f.ANNOUNCE_TYPE not in fields
    assert fields[f.RECENCY] == [f.recency_key(dt.date(2026, 6, 10), 5)]
