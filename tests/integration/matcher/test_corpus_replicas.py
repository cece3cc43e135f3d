"""Scores do not depend on which process computed them (issue 14 item 3), on one SQLite
store: two matcher replicas that each processed a different half of the papers, and a
matcher started afresh after them (a restart), hold the same corpus snapshot and give the
same paper the same score, bit for bit; a matcher counting only what it processed itself
(the rule before snapshots) gave other scores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from academichub.bench.corpus import recorded_papers
from academichub.bench.match import Vocabulary, make_radar_queries
from academichub.contracts import Match
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.radar.document import PaperDocument
from academichub.radar.parser import parse_query
from academichub.radar.scoring import CorpusStats, PaperScorer, score_document
from academichub.store.embedded import EmbeddedStore

pytestmark = pytest.mark.integration

BATCH = 50


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[list[EmbeddedStore]]:
    """Three processes' handles on one data folder: the index writer and two others."""
    opened = [EmbeddedStore(tmp_path, index_writer=True)]
    try:
        opened += [EmbeddedStore(tmp_path, index_writer=False) for _ in range(2)]
        yield opened
    finally:
        for store in opened:
            store.close()


def matcher(store: EmbeddedStore, queries: list[str]) -> MatchingPipeline:
    registry = RadarRegistry()
    for i, query in enumerate(queries):
        registry.index.add(f"r{i}", parse_query(query))
    return MatchingPipeline(
        papers=store.papers, matches=store.matches, registry=registry, corpus=store.corpus
    )


def test_replicas_and_a_restart_score_a_paper_alike(stores: list[EmbeddedStore]) -> None:
    papers = recorded_papers()[:330]
    queries = make_radar_queries(2000, Vocabulary(recorded_papers()))
    one, two = matcher(stores[0], queries), matcher(stores[1], queries)

    # Two replicas, each consuming half of the papers, batches interleaved.
    halves = (papers[:150], papers[150:300])
    for start in range(0, 150, BATCH):
        for replica, half in zip((one, two), halves, strict=True):
            replica.emitted(replica.process(half[start : start + BATCH]).to_emit)
    restarted = matcher(stores[2], queries)  # a third process, started now
    replicas = (one, two, restarted)
    held = [replica.snapshots.refresh() for replica in replicas]
    assert held[0] == held[1] == held[2]
    assert held[0].stats.n_docs == 300  # made from both halves, whoever made it

    # New papers, a few to each: not enough growth for another version meanwhile.
    recorded: list[Match] = []
    for i, replica in enumerate(replicas):
        outcome = replica.process(papers[300 + 10 * i : 310 + 10 * i])
        replica.emitted(outcome.to_emit)
        recorded += outcome.matches
    assert {replica.snapshots.current.version for replica in replicas} == {held[0].version}
    assert len(recorded) > 50

    docs = {p.id: PaperDocument.from_paper(p) for p in papers[300:]}
    differs = 0
    for match in recorded:
        doc = docs[match.paper_id]
        # Whichever process scores it, the same float.
        assert {
            round(PaperScorer(doc, replica.snapshots.statistics(doc)).score(match.terms), 6)
            for replica in replicas
        } == {match.score}
        # Before snapshots, a freshly started matcher counted only the paper itself.
        alone = CorpusStats.from_documents([doc])
        differs += round(score_document(match.terms, doc, alone), 6) != match.score
    assert differs > len(recorded) // 2
