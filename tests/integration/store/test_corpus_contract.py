"""The corpus part: running totals counted as papers are first stored, and versioned
snapshots written once (:class:`academichub.store.port.CorpusStore`)."""

from __future__ import annotations

import pytest

from academichub.contracts import Paper
from academichub.radar.document import PaperDocument
from academichub.radar.scoring import CorpusStats
from academichub.store.corpus import SNAPSHOTS_KEPT
from academichub.store.elastic import ElasticsearchStore
from academichub.store.port import CorpusState, Store
from tests.integration.store.factories import paper

pytestmark = pytest.mark.integration

SPIN = paper(1, "Spin chains and spin glasses", "Spin waves in chains of atoms.")
CODES = paper(2, "Quantum codes", "Codes protect qubits; qubits decohere.", version=None)
MEDIUM = paper(3, "Naïve Bayes über alles", "Ünïcode stems: café, 量子 计算.")


def stats_of(*papers: Paper) -> CorpusStats:
    return CorpusStats.from_documents(PaperDocument.from_paper(p) for p in papers)


def test_a_paper_is_counted_once_when_first_stored(store: Store) -> None:
    assert store.corpus.corpus_totals() == CorpusStats()
    assert store.corpus.corpus_state() == CorpusState(snapshot_version=0, n_docs=0)
    store.papers.upsert_papers([SPIN, CODES])
    newer = paper(1, "Spin chains", "Another abstract entirely.", version=2)
    store.papers.upsert_papers([SPIN, newer, MEDIUM])  # a replay, a new version, a new paper
    store.papers.upsert_papers([SPIN, newer])
    # Each paper once, as its first stored version counted it; df per paper, not per use.
    totals = store.corpus.corpus_totals()
    assert totals == stats_of(SPIN, CODES, MEDIUM)
    assert totals.df["spin"] == 1
    assert totals.df["qubit"] == 1
    assert store.corpus.corpus_state() == CorpusState(snapshot_version=0, n_docs=3)


def test_the_totals_are_a_copy_the_caller_owns(store: Store) -> None:
    store.papers.upsert_papers([SPIN])
    mine = store.corpus.corpus_totals()
    mine.add(PaperDocument.from_paper(CODES))
    assert store.corpus.corpus_totals() == stats_of(SPIN)


def test_a_snapshot_version_is_written_once(store: Store) -> None:
    assert store.corpus.corpus_snapshot() is None
    store.papers.upsert_papers([SPIN, MEDIUM])
    first = store.corpus.snapshot_corpus_once(1, store.corpus.corpus_totals())
    assert (first.version, first.stats) == (1, stats_of(SPIN, MEDIUM))
    # A second writer of version 1 (another replica, with other totals) gets the first.
    store.papers.upsert_papers([CODES])
    again = store.corpus.snapshot_corpus_once(1, store.corpus.corpus_totals())
    assert (again.version, again.stats) == (1, stats_of(SPIN, MEDIUM))
    assert store.corpus.corpus_snapshot() == again
    assert store.corpus.corpus_state() == CorpusState(snapshot_version=1, n_docs=3)
    second = store.corpus.snapshot_corpus_once(2, store.corpus.corpus_totals())
    assert second.stats == stats_of(SPIN, MEDIUM, CODES)
    assert store.corpus.corpus_snapshot() == second
    assert store.corpus.corpus_state().snapshot_version == 2


def test_only_the_newest_snapshots_are_kept(store: Store) -> None:
    totals = store.corpus.corpus_totals()
    for version in range(1, SNAPSHOTS_KEPT + 3):
        assert store.corpus.snapshot_corpus_once(version, totals).version == version
    newest = SNAPSHOTS_KEPT + 2
    snapshot = store.corpus.corpus_snapshot()
    assert snapshot is not None
    assert snapshot.version == newest
    # The oldest kept is still there (a replica racing to write it gets it back) ...
    kept = newest - SNAPSHOTS_KEPT + 1
    assert store.corpus.snapshot_corpus_once(kept, CorpusStats(n_docs=99)).stats == totals
    # ... an older one is gone and is not written again.
    with pytest.raises(ValueError, match="older than the ones kept"):
        store.corpus.snapshot_corpus_once(1, totals)


def test_rewritten_text_is_counted_again(store: Store) -> None:
    if isinstance(store, ElasticsearchStore):
        pytest.skip("the Elasticsearch adapter does not recount (store/elastic/corpus.py)")
    store.papers.upsert_papers([SPIN, CODES])
    renamed = store.papers.rewrite_papers(
        lambda p: p.model_copy(update={"title": p.title.replace("Spin", "Magnon")})
    )
    assert renamed == 2  # the stored version and the current one
    spin = store.papers.get_paper(SPIN.id)
    assert spin is not None
    assert store.corpus.corpus_totals() == stats_of(spin, CODES)
    assert "magnon" in store.corpus.corpus_totals().df
