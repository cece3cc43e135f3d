"""Which corpus snapshot a matcher scores with (matcher/domain/corpus.py), on the
in-memory store: replicas that share a store agree on the version and its figures."""

from __future__ import annotations

import datetime as dt

from academichub.contracts import Paper
from academichub.matcher.domain.corpus import (
    GROWTH_FACTOR,
    GROWTH_PAPERS,
    CorpusSnapshots,
    snapshot_due,
)
from academichub.radar.document import PaperDocument
from academichub.radar.scoring import CorpusStats, WithPaper
from academichub.store.memory import InMemoryStore


def paper(n: int, title: str = "Spin chains") -> Paper:
    return Paper(
        id=f"arxiv:2506.{n:05d}",
        version=1,
        source="arxiv",
        announce_type="new",
        title=title,
        abstract=f"{title} number {n}",
        categories=("quant-ph",),
        published=dt.date(2026, 6, 12),
    )


def stored(store: InMemoryStore, first: int, count: int) -> None:
    store.papers.upsert_papers([paper(n) for n in range(first, first + count)])


def test_a_snapshot_is_due_after_a_tenth_more_papers_and_a_few() -> None:
    assert (GROWTH_FACTOR, GROWTH_PAPERS) == (1.1, 10)
    assert not snapshot_due(0, 9)
    assert snapshot_due(0, 10)
    assert not snapshot_due(1000, 1109)
    assert snapshot_due(1000, 1110)


def test_at_start_the_newest_snapshot_is_loaded_or_version_1_made() -> None:
    store = InMemoryStore()
    stored(store, 1, 5)
    first = CorpusSnapshots(store.corpus)
    assert first.current.version == 1
    assert first.current.stats.n_docs == 5
    stored(store, 6, 50)
    # A restart: the newest snapshot, not the running totals.
    assert CorpusSnapshots(store.corpus).current == first.current


def test_the_totals_are_snapshotted_again_only_when_grown_enough() -> None:
    store = InMemoryStore()
    snapshots = CorpusSnapshots(store.corpus)
    assert snapshots.refresh().version == 1  # an empty corpus: version 1 with no papers
    stored(store, 1, GROWTH_PAPERS - 1)
    assert snapshots.refresh().version == 1
    stored(store, 100, 1)
    assert snapshots.refresh().version == 2
    assert snapshots.current.stats.n_docs == GROWTH_PAPERS
    stored(store, 200, 20)  # 30 papers: 10 * 1.1 + 10 = 21 were enough
    assert snapshots.refresh().stats.n_docs == 30
    assert snapshots.current.version == 3


def test_replicas_on_one_store_converge_on_one_version() -> None:
    store = InMemoryStore()
    one, two = CorpusSnapshots(store.corpus), CorpusSnapshots(store.corpus)
    assert one.refresh() == two.refresh()
    stored(store, 1, 15)
    made = one.refresh()  # replica one makes version 2 from 15 papers
    stored(store, 100, 3)
    # Replica two saw version 1 only: it loads version 2 (18 papers are not enough for 3).
    assert two.refresh() == made
    assert made.stats.n_docs == 15


def test_racing_replicas_both_get_the_version_that_was_written_first() -> None:
    store = InMemoryStore()
    one, two = CorpusSnapshots(store.corpus), CorpusSnapshots(store.corpus)
    one.refresh()
    two.refresh()
    stored(store, 1, 15)
    made = one.refresh()
    stored(store, 100, 3)
    # Two decides to make version 2 from its own (larger) totals: the stored one wins.
    assert store.corpus.snapshot_corpus_once(2, store.corpus.corpus_totals()) == made
    assert two.refresh() == made


def test_a_paper_is_scored_with_the_snapshot_plus_itself() -> None:
    store = InMemoryStore()
    stored(store, 1, 3)
    snapshots = CorpusSnapshots(store.corpus)
    doc = PaperDocument.from_paper(paper(9, "Quantum codes"))
    statistics = snapshots.statistics(doc)
    assert isinstance(statistics, WithPaper)
    counted = CorpusStats.from_documents(PaperDocument.from_paper(paper(n)) for n in (1, 2, 3))
    counted.add(doc)
    assert statistics.idf("code") == counted.idf("code")  # df 1, its own
    assert statistics.avg_title_length == counted.avg_title_length
