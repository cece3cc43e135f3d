"""Cross-field connections: close vectors, different top-level fields, a named concept."""

import numpy as np
import pytest

from academichub.briefer.domain.corpus import CorpusCounts
from academichub.briefer.domain.extractive import candidate_keys, plan_window, render
from academichub.briefer.domain.keyphrases import phrase_key
from academichub.briefer.domain.vectors import (
    MINILM_LINK_SIMILARITY,
    TFIDF_LINK_SIMILARITY,
    WindowVectors,
)
from academichub.contracts import Paper
from tests.unit.briefer.briefer_samples import paper, pid

LINK = 0.5


def pair(cos: float) -> np.ndarray:
    """Two unit vectors at cosine ``cos``, and two unrelated ones."""
    sin = float(np.sqrt(1 - cos**2))
    return np.array([[1, 0, 0, 0], [cos, sin, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], dtype=np.float32)


def window(first: tuple[str, ...], second: tuple[str, ...], shared: str) -> list[Paper]:
    return [
        paper(
            1,
            title=f"{shared.capitalize()} for surface codes",
            abstract=f"Background here. We train {shared} on syndrome data from surface codes.",
            categories=first,
        ),
        paper(
            2,
            title=f"{shared.capitalize()} for DNA storage",
            abstract=f"Background here. We train {shared} on reads from DNA storage channels.",
            categories=second,
        ),
        paper(
            3,
            title="Lensing by halos",
            abstract="Old story. We measure galaxy lensing.",
            categories=("astro-ph.CO",),
        ),
        paper(
            4,
            title="Prime gaps",
            abstract="Old story. We bound prime gaps in short intervals.",
            categories=("math.NT",),
        ),
    ]


def plan(papers: list[Paper], vectors: np.ndarray, corpus: CorpusCounts | None = None):  # type: ignore[no-untyped-def]
    return plan_window(papers, vectors=WindowVectors("test", vectors, LINK), corpus=corpus)


def test_close_papers_of_different_fields_sharing_a_concept_are_connected() -> None:
    papers = window(("quant-ph",), ("q-bio.GN",), "graph neural network decoders")
    (conn,) = plan(papers, pair(0.8)).connections
    assert set(conn.paper_ids) == {pid(1), pid(2)}
    assert conn.fields == ("quant-ph", "q-bio")
    assert conn.concept == "graph neural network decoders"
    assert conn.similarity == pytest.approx(0.8, abs=1e-6)
    (written,) = render(plan(papers, pair(0.8)), "en").connections
    assert pid(1) in written.finding
    assert pid(2) in written.finding
    assert "graph neural network decoders" in written.finding
    assert "Quantum Physics" in written.finding
    assert "Genomics" in written.finding
    assert written.finding.count(". ") == 0  # one sentence


def test_papers_of_the_same_archive_never_link() -> None:
    papers = window(("cs.LG",), ("cs.CV",), "graph neural network decoders")
    assert plan(papers, pair(0.99)).connections == ()
    # cond-mat subfields are one archive too.
    papers = window(("cond-mat.str-el",), ("cond-mat.mes-hall",), "graph neural network decoders")
    assert plan(papers, pair(0.99)).connections == ()


def test_the_minimum_similarity_is_enforced() -> None:
    papers = window(("quant-ph",), ("q-bio.GN",), "graph neural network decoders")
    assert plan(papers, pair(LINK - 0.01)).connections == ()
    assert len(plan(papers, pair(LINK + 0.01)).connections) == 1


def test_close_papers_without_a_shared_concept_are_not_connected() -> None:
    papers = window(("quant-ph",), ("q-bio.GN",), "graph neural network decoders")
    papers[1] = papers[1].model_copy(
        update={
            "title": "Long reads",
            "abstract": "Background here. We assemble long reads from nanopore sequencers.",
        }
    )
    assert plan(papers, pair(0.95)).connections == ()


def test_a_phrase_common_in_the_store_names_no_connection() -> None:
    papers = window(("astro-ph.HE",), ("gr-qc",), "rotating black holes")
    # Single words are common in a real store ("background", "train"); phrases are rarer.
    usual = {k: 2_000 if len(k) == 1 else 10 for k in candidate_keys(papers)}
    common = CorpusCounts(10_000, {**usual, phrase_key("rotating black holes"): 900}, "store")
    assert plan(papers, pair(0.9), common).connections == ()
    rare = CorpusCounts(10_000, usual, "store")
    assert len(plan(papers, pair(0.9), rare).connections) == 1


def test_the_thresholds_are_stated_per_vector_space() -> None:
    assert 0.4 <= MINILM_LINK_SIMILARITY <= 0.6
    assert 0.1 <= TFIDF_LINK_SIMILARITY < MINILM_LINK_SIMILARITY
