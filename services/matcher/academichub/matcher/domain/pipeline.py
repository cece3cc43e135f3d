"""Papers in, matches out: the matcher's work on one batch, through two store parts
(papers, matches).

At-least-once delivery means any batch may arrive again. Every step is idempotent:
the store ignores an (id, version) it holds, ``record_matches`` returns only matches
not yet emitted, and emission is marked in the store once the broker acknowledged it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from academichub.contracts import Match, Paper
from academichub.matcher.domain.registry import RadarRegistry
from academichub.radar.document import PaperDocument
from academichub.radar.scoring import CorpusStats, score_document
from academichub.store.port import MatchStore, PaperStore, PaperWrite


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class BatchOutcome:
    writes: list[PaperWrite]
    to_emit: list[Match]


@dataclass
class MatchingPipeline:
    papers: PaperStore
    matches: MatchStore
    registry: RadarRegistry
    stats: CorpusStats = field(default_factory=lambda: CorpusStats.from_documents([]))
    clock: Callable[[], dt.datetime] = _utcnow

    def process(self, papers: Sequence[Paper]) -> BatchOutcome:
        """Store and index the papers, match them, record the matches; return what to emit.

        A stale version (older than the stored one) is kept in the paper's history but
        not matched: radars were already offered the newer version.
        """
        papers = dedupe_keep_last(papers)
        writes = self.papers.upsert_papers(papers)
        now = self.clock()
        found: list[Match] = []
        for paper, outcome in zip(papers, writes, strict=True):
            if outcome is PaperWrite.STALE:
                continue
            doc = PaperDocument.from_paper(paper)
            if outcome is PaperWrite.NEW:
                self.stats.add(doc)
            for hit in self.registry.index.match(doc):
                if not self._offer(hit.radar_id, paper):
                    continue
                found.append(
                    Match(
                        radar_id=hit.radar_id,
                        paper_id=paper.id,
                        version=paper.version,
                        score=round(score_document(hit.terms, doc, self.stats), 6),
                        terms=hit.terms,
                        matched_at=now,
                    )
                )
        to_emit = self.matches.record_matches(found) if found else []
        return BatchOutcome(writes=writes, to_emit=to_emit)

    def _offer(self, radar_id: str, paper: Paper) -> bool:
        return offered(self.matches, self.registry, radar_id, paper)

    def emitted(self, matches: Sequence[Match]) -> None:
        self.matches.mark_emitted(m.key for m in matches)


def offered(matches: MatchStore, registry: RadarRegistry, radar_id: str, paper: Paper) -> bool:
    """A new version of a paper the radar already has is offered only to radars that
    follow updates; the same version is always offered again (the store dedups it, and
    re-emits it if a crash came between recording and emitting)."""
    if radar_id in registry.follows_updates:
        return True
    versions = matches.matched_versions(radar_id, paper.id)
    return not versions or paper.version in versions


def dedupe_keep_last(papers: Sequence[Paper]) -> list[Paper]:
    """One entry per (id, version) within a batch: a replay inside one batch is a no-op."""
    seen: dict[tuple[str, int | None], Paper] = {}
    for paper in papers:
        seen[paper.key] = paper
    return list(seen.values())
