"""A radar's recent matches at once: when a radar is created or its query changes, it is
matched against the stored papers of the recent days (``RADAR_BACKFILL_DAYS``,
:func:`academichub.store.recent.recent_days`, the days the radar preview counts).

Same semantics as live matching: candidates are read through the search index (the query
compiled to tantivy or Elasticsearch, never a scan of every stored paper), then each is
verified by the reference evaluator the radar index agrees with, so the terms that fired,
the score (the pipeline's corpus snapshot plus the paper, :mod:`.corpus`) and the
new-version rule (:func:`~academichub.matcher.domain.pipeline.offered`) are the live
ones. Matches are recorded with ``origin="backfill"``, all with the moment the backfill
started, so the radar page shows them together as found on creation.

The work is cut into slices (:meth:`Backfiller.step`: one day's page of at most
``slice_size`` papers, newest day first) run one at a time on the matcher's store thread,
where live batches of ``papers`` queue between them: a backfill delays a live batch by at
most one slice. A day is read as it was when the backfill came to it: the index lists a
day's papers newest arrival first, so papers stored meanwhile (matched live, the radar
being installed) come before the ones still to read, and each page skips them by the
count the day has grown by; a stream of new papers on the very day being read neither
repeats work nor holds the backfill back.

Idempotent: matches are keyed by (radar, paper, version) in the store, and the finished
backfill is remembered (:class:`~academichub.store.port.BackfillMark`) with the
query it matched, so a replayed radar change, a restart, or a second matcher replica adds
nothing twice; a backfill interrupted before its mark is simply run again.

A change of query first retracts the radar's matches that the new query no longer holds
(:meth:`Backfiller.retract`), a delete retracts all of them (:meth:`Backfiller.forget`).
Radars this matcher role does not hold (semantic radars are the embedding role's) are
not backfilled here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from academichub.contracts import Radar
from academichub.contracts.match_groups import FoundMatches
from academichub.matcher.domain.pipeline import MatchingPipeline, offered
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from academichub.radar.scoring import score_document
from academichub.store.port import BackfillMark, SearchFilters
from academichub.store.recent import recent_days

# Match keys re-checked per retraction slice.
RETRACT_SLICE = 500


@dataclass
class BackfillJob:
    """One radar's backfill in progress: the day being read (newest first) and how far."""

    radar: Radar
    node: Node
    first_day: dt.date
    last_day: dt.date
    started_at: dt.datetime
    day: dt.date
    # Of the day being read: its candidates when the backfill came to it (None: not yet
    # counted), and how many of those are read.
    day_total: int | None = None
    position: int = 0
    papers: set[str] = field(default_factory=set)

    @property
    def done(self) -> bool:
        return self.day < self.first_day


@dataclass
class SliceOutcome:
    to_emit: list[FoundMatches]  # per paper version (one radar's), what is not yet emitted
    read: int  # candidate papers read through the index


@dataclass
class Backfiller:
    """The backfill steps, each a short call on the store's thread."""

    pipeline: MatchingPipeline
    days: int
    slice_size: int = 50

    def start(self, radar_id: str, *, force: bool = False) -> BackfillJob | None:
        """A job for the radar as held now, or None when there is nothing to do: the radar
        is not held by this role (deleted, or semantic), or its query was backfilled
        already (unless ``force``)."""
        radar = self.pipeline.registry.radars.get(radar_id)
        if radar is None or not radar.query.strip():
            return None
        if not force:
            mark = self.pipeline.matches.backfill_mark(radar_id)
            if mark is not None and mark.query == radar.query:
                return None
        now = self.pipeline.clock()
        first, last = recent_days(self.pipeline.papers, self.days, now.date())
        return BackfillJob(
            radar=radar,
            node=parse_query(radar.query),
            first_day=first,
            last_day=last,
            started_at=now,
            day=last,
        )

    def retract(self, job: BackfillJob) -> int:
        """Forget the radar's matches its (new) query no longer holds; how many."""
        keys = self.pipeline.matches.match_keys(job.radar.id)
        gone = 0
        for at in range(0, len(keys), RETRACT_SLICE):
            chunk = keys[at : at + RETRACT_SLICE]
            papers = self.pipeline.papers.get_papers(paper_id for _, paper_id, _ in chunk)
            stale = [
                key
                for key in chunk
                if (paper := papers.get(key[1])) is None
                or evaluate(job.node, PaperDocument.from_paper(paper)) is None
            ]
            if stale:
                gone += self.pipeline.matches.retract_matches(stale)
        return gone

    def step(self, job: BackfillJob) -> SliceOutcome:
        """Match one slice: up to ``slice_size`` of the day's candidates from the index."""
        day = SearchFilters(published_from=job.day, published_to=job.day)
        search = self.pipeline.papers.search
        now_total = search(job.node, day, sort="date", limit=0).total
        if job.day_total is None:
            job.day_total = now_total
        if job.day_total == 0:
            job.day -= dt.timedelta(days=1)
            job.day_total = None
            return SliceOutcome(to_emit=[], read=0)
        # Papers stored since the day was counted sort first (newest arrival first): skip them.
        offset = job.position + max(0, now_total - job.day_total)
        page = search(job.node, day, sort="date", limit=self.slice_size, offset=offset)
        grown = max(0, page.total - job.day_total)  # as the page saw it: never skip unread
        job.position = max(job.position, offset - grown + self.slice_size)
        if job.position >= job.day_total:
            job.day -= dt.timedelta(days=1)
            job.day_total = None
            job.position = 0
        found: list[FoundMatches] = []
        statistics = self.pipeline.snapshots.statistics
        for hit in page.hits:
            paper = hit.paper
            doc = PaperDocument.from_paper(paper)
            terms = evaluate(job.node, doc)
            if terms is None or not offered(
                self.pipeline.matches, self.pipeline.registry, job.radar.id, paper
            ):
                continue
            job.papers.add(paper.id)
            found.append(
                FoundMatches(
                    paper.id,
                    paper.version,
                    job.started_at,
                    [job.radar.id],
                    [round(score_document(terms, doc, statistics(doc)), 6)],
                    [terms],
                    origin="backfill",
                )
            )
        to_emit = self.pipeline.matches.record_found(found) if found else []
        return SliceOutcome(to_emit=to_emit, read=len(page.hits))

    def finish(self, job: BackfillJob) -> BackfillMark:
        """Remember the finished backfill (after its last matches were published)."""
        mark = BackfillMark(
            radar_id=job.radar.id,
            revision=job.radar.revision,
            query=job.radar.query,
            first_day=job.first_day,
            last_day=job.last_day,
            papers=len(job.papers),
            done_at=self.pipeline.clock(),
        )
        self.pipeline.matches.mark_backfilled(mark)
        return mark

    def forget(self, radar_id: str) -> int:
        """A deleted radar: every match retracted, its backfill forgotten."""
        gone = self.pipeline.matches.retract_matches(self.pipeline.matches.match_keys(radar_id))
        self.pipeline.matches.forget_backfill(radar_id)
        return gone
