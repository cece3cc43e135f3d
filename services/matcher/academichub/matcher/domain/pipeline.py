"""Papers in, matches out: the matcher's work on one batch, through three store parts
(papers, matches, and corpus: the statistics it scores with, :mod:`.corpus`).

At-least-once delivery means any batch may arrive again. Every step is idempotent:
the store ignores an (id, version) it holds, ``record_matches`` returns only matches
not yet emitted, and emission is marked in the store once the broker acknowledged it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from academichub.contracts import Match, Paper
from academichub.contracts.match_groups import FoundMatches, flatten
from academichub.matcher.domain.corpus import CorpusSnapshots
from academichub.matcher.domain.registry import RadarRegistry
from academichub.radar.document import PaperDocument
from academichub.radar.index import RadarHit
from academichub.radar.scoring import PaperScorer
from academichub.store.port import CorpusStore, MatchStore, PaperStore, PaperWrite


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class BatchOutcome:
    writes: list[PaperWrite]
    to_emit: list[FoundMatches]  # per paper version, what the store had not yet emitted

    @property
    def matches(self) -> list[Match]:
        """``to_emit`` one match at a time, as models."""
        return flatten(self.to_emit)


@dataclass
class MatchingPipeline:
    papers: PaperStore
    matches: MatchStore
    registry: RadarRegistry
    corpus: CorpusStore
    clock: Callable[[], dt.datetime] = _utcnow
    snapshots: CorpusSnapshots = field(init=False)

    def __post_init__(self) -> None:
        self.snapshots = CorpusSnapshots(self.corpus)

    def process(self, papers: Sequence[Paper]) -> BatchOutcome:
        """Store and index the papers, match them, record the matches; return what to emit.

        A stale version (older than the stored one) is kept in the paper's history but
        not matched: radars were already offered the newer version.

        Per match only what must be done per match is done (at 100,000 radars a paper
        has ~150): a paper's terms are scored once (:class:`PaperScorer`), its matches
        are held side by side (:class:`FoundMatches`: no model, no object per match), a
        paper seen for the first time needs no look-up of earlier
        matches, and the store records the batch's matches with set-based statements.

        Scores use the newest corpus snapshot, checked once per batch
        (:meth:`CorpusSnapshots.refresh`), plus the paper itself.
        """
        papers = dedupe_keep_last(papers)
        self.snapshots.refresh()
        docs = [PaperDocument.from_paper(paper) for paper in papers]  # analysed once
        writes = self.papers.upsert_papers(papers, docs)
        now = self.clock()
        found: list[FoundMatches] = []
        for paper, doc, outcome in zip(papers, docs, writes, strict=True):
            if outcome is PaperWrite.STALE:
                continue
            hits = self.registry.index.match(doc)
            if not hits:
                continue
            if outcome is not PaperWrite.NEW:  # a new paper was offered to no radar yet
                hits = self._offered(hits, paper)
            score = PaperScorer(doc, self.snapshots.statistics(doc)).score
            found.append(
                FoundMatches(
                    paper.id,
                    paper.version,
                    now,
                    [hit.radar_id for hit in hits],
                    [round(score(hit.terms), 6) for hit in hits],
                    [hit.terms for hit in hits],
                    new_paper=outcome is PaperWrite.NEW,
                )
            )
        to_emit = self.matches.record_found(found) if found else []
        return BatchOutcome(writes=writes, to_emit=to_emit)

    def _offered(self, hits: list[RadarHit], paper: Paper) -> list[RadarHit]:
        """The hits :func:`offered_to` keeps: one look-up of the paper's earlier matches
        for all of them."""
        keep = offered_to(self.matches, self.registry, [hit.radar_id for hit in hits], paper)
        return [hit for hit in hits if hit.radar_id in keep]

    def emitted(self, found: Sequence[FoundMatches]) -> None:
        self.matches.mark_emitted(found)


def offered(matches: MatchStore, registry: RadarRegistry, radar_id: str, paper: Paper) -> bool:
    """Whether ``paper`` is offered to one radar (:func:`offered_to`)."""
    return radar_id in offered_to(matches, registry, [radar_id], paper)


def offered_to(
    matches: MatchStore, registry: RadarRegistry, radar_ids: Sequence[str], paper: Paper
) -> set[str]:
    """The radars among ``radar_ids`` ``paper`` is offered to. A new version of a paper the
    radar already has is offered only to radars that follow updates; the same version is
    always offered again (the store dedups it, and re-emits it if a crash came between
    recording and emitting). One look-up of the paper's earlier matches for them all."""
    follows = registry.follows_updates
    asked = [radar_id for radar_id in radar_ids if radar_id not in follows]
    held = matches.versions_matched(paper.id, asked) if asked else {}
    return {
        radar_id
        for radar_id in radar_ids
        if radar_id in follows or not (versions := held.get(radar_id)) or paper.version in versions
    }


def dedupe_keep_last(papers: Sequence[Paper]) -> list[Paper]:
    """One entry per (id, version) within a batch: a replay inside one batch is a no-op."""
    seen: dict[tuple[str, int | None], Paper] = {}
    for paper in papers:
        seen[paper.key] = paper
    return list(seen.values())
