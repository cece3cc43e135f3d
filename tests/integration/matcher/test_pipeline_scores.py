"""The matcher's batch path (per-paper scoring, matches held side by side, set-based
recording in SQLite) gives exactly the matches and scores of the plain rules -- every
hit of the index, scored one by one by :func:`score_document` under the corpus snapshot
of the papers stored before the batch plus the paper itself -- on the bench corpus
against bench radars, replays and new versions included."""

from __future__ import annotations

from pathlib import Path

import pytest

from academichub.bench.corpus import recorded_papers
from academichub.bench.match import Vocabulary, make_radar_queries
from academichub.contracts import Paper
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.radar.document import PaperDocument
from academichub.radar.parser import parse_query
from academichub.radar.scoring import CorpusStats, WithPaper, score_document
from academichub.store.embedded import EmbeddedStore

pytestmark = pytest.mark.integration

Key = tuple[str, str, int | None]
Found = dict[Key, tuple[float, tuple[tuple[str, str], ...]]]


def test_batches_score_exactly_as_the_plain_rules(tmp_path: Path) -> None:
    papers = recorded_papers()[:600]
    queries = make_radar_queries(3000, Vocabulary(recorded_papers()))
    registry = RadarRegistry()
    for i, query in enumerate(queries):
        registry.index.add(f"r{i}", parse_query(query))
    store = EmbeddedStore(tmp_path, index_writer=True)
    try:
        pipeline = MatchingPipeline(
            papers=store.papers, matches=store.matches, registry=registry, corpus=store.corpus
        )
        got: Found = {}

        def run(batch: list[Paper], mark: bool = True) -> None:
            outcome = pipeline.process(batch)
            for m in outcome.matches:
                got[m.key] = (m.score, tuple((t.field, t.term) for t in m.terms))
            if mark:
                pipeline.emitted(outcome.to_emit)

        run(papers[:200], mark=False)  # not emitted: the replay below hands them back
        assert pipeline.snapshots.current.stats.n_docs == 0  # version 1: an empty store
        run(papers[200:])
        assert pipeline.snapshots.current.stats.n_docs == 200  # version 2: grown enough
        first = dict(got)
        got.clear()
        run(papers[:200])
        assert got == {k: v for k, v in first.items() if k[1] in {p.id for p in papers[:200]}}
        newer = [p.model_copy(update={"version": (p.version or 1) + 1}) for p in papers[:100]]
        got.clear()
        run(newer)
    finally:
        store.close()

    # The plain rules, one paper and one hit at a time: each batch under the papers stored
    # before it, plus the paper.
    expected: Found = {}
    for before, batch in ((papers[:0], papers[:200]), (papers[:200], papers[200:])):
        snapshot = CorpusStats.from_documents(map(PaperDocument.from_paper, before))
        for paper in batch:
            doc = PaperDocument.from_paper(paper)
            for hit in registry.index.match(doc):
                expected[hit.radar_id, paper.id, paper.version] = (
                    round(score_document(hit.terms, doc, WithPaper(snapshot, doc)), 6),
                    tuple((t.field, t.term) for t in hit.terms),
                )
    assert len(first) == len(expected) > 1000
    assert first == expected
    # New versions: only radars following updates (none of these queries ask for them)
    # would be offered them again, and none of the radars that matched version 1 is.
    assert got == {}
