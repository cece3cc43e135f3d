"""The indices of the Elasticsearch store: names, mappings, and creating them once."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.contracts import Paper
from academichub.store.elastic import ElasticsearchStoreError, ensure_indices
from academichub.store.elastic.documents import paper_document
from academichub.store.elastic.mappings import IndexNames, alias_swap, index_specs
from tests.unit.store.test_elastic_replay import replay


def test_a_fresh_cluster_gets_every_index_and_the_papers_alias() -> None:
    with replay("ensure_indices_fresh_cluster") as client:
        ensure_indices(client)


def test_the_papers_index_is_not_recreated_behind_a_moved_alias() -> None:
    with (
        replay("ensure_indices_after_reindex") as client,
        pytest.raises(ElasticsearchStoreError, match=r"'academichub-paper-versions' was refused"),
    ):
        ensure_indices(client)


def test_every_index_refuses_undeclared_fields() -> None:
    specs = index_specs(IndexNames("x"))
    assert [s.name for s in specs][:2] == ["x-papers-v1", "x-paper-versions"]
    assert all(s.mappings["dynamic"] == "strict" for s in specs)
    assert len({s.name for s in specs}) == len(specs)


@pytest.mark.parametrize("prefix", ["", "AcademicHub", "a b", "-x", "a/b", "a*", "x" * 102])
def test_a_prefix_that_cannot_name_an_index_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="not usable in Elasticsearch index names"):
        IndexNames(prefix)


def test_a_reindex_swaps_the_alias_in_one_step() -> None:
    assert alias_swap(IndexNames("ah"), 1, 2) == [
        {"remove": {"index": "ah-papers-v1", "alias": "ah-papers"}},
        {"add": {"index": "ah-papers-v2", "alias": "ah-papers", "is_write_index": True}},
    ]


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
    assert paper_document(paper, 7) == {
        "id": "arxiv:2606.00001",
        "title": "rotation of spin",
        "abstract": "uber fast qubit",
        "title_raw": "rotations of spins",
        "abstract_raw": "uber fast qubits",
        # Each form of each name ("—" has no name token: left out).
        "author": ["yann lecun", "y lecun", "yann l", "remy dupont smith", "r d smith", "remy d s"],
        "cat": ["cs.ai", "quant-ph"],
        "category": ["cs.AI", "quant-ph"],
        "source": "arxiv",
        "type": None,
        "published": "2026-06-10",
        "seq": 7,
        "paper": paper.model_dump(mode="json"),
    }
