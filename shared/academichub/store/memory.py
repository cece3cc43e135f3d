"""The in-memory store: a fake for unit tests with state they can assert on.

It honours the same idempotency contract as the real adapters (the contract suites in
tests/ run against it too), part by part. Search evaluates the radar AST directly with
the in-memory matcher, so it is the reference semantics the indexes must agree with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from academichub.contracts import Briefing, Match, Paper, Radar, RadarChange
from academichub.contracts.match_groups import FoundMatches, flatten, regroup
from academichub.embedding.port import EmbeddingModel, Vectors
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.radar.scoring import CorpusStats
from academichub.store.accounts import InMemoryAccountStore
from academichub.store.corpus import SNAPSHOTS_KEPT, copy_of, counted, new_documents
from academichub.store.delivery import InMemoryDelivery
from academichub.store.facets import ScanFacets
from academichub.store.port import (
    NO_FILTERS,
    BackfillMark,
    CorpusSnapshot,
    CorpusState,
    KeyedRadar,
    Neighbour,
    OpenWindow,
    PaperSummary,
    PaperVector,
    PaperWrite,
    PendingItem,
    RequestKey,
    SearchFilters,
    SearchHit,
    SearchPage,
    SentPaper,
    VectorWindow,
)
from academichub.store.publication import preprint_dois, recorded_publication
from academichub.store.rewrite import rewritten
from academichub.store.vector_codec import check_vector


def _version_rank(version: int | None) -> int:
    return 0 if version is None else version


def passes_filters(paper: Paper, filters: SearchFilters) -> bool:
    return filters.admits(paper.source, paper.categories, paper.published)


@dataclass
class InMemoryCorpus:
    totals: CorpusStats = field(default_factory=CorpusStats)
    snapshots: dict[int, CorpusSnapshot] = field(default_factory=dict)

    def count(self, documents: Sequence[PaperDocument]) -> None:
        """Add papers stored for the first time to the running totals."""
        added = counted(documents)
        totals = self.totals
        totals.n_docs += added.n_docs
        totals.title_tokens += added.title_tokens
        totals.abstract_tokens += added.abstract_tokens
        for stem, df in added.df.items():
            totals.df[stem] = totals.df.get(stem, 0) + df

    def corpus_state(self) -> CorpusState:
        return CorpusState(max(self.snapshots, default=0), self.totals.n_docs)

    def corpus_totals(self) -> CorpusStats:
        return copy_of(self.totals)

    def corpus_snapshot(self) -> CorpusSnapshot | None:
        return self.snapshots[max(self.snapshots)] if self.snapshots else None

    def snapshot_corpus_once(self, version: int, stats: CorpusStats) -> CorpusSnapshot:
        stored = self.snapshots.setdefault(version, CorpusSnapshot(version, copy_of(stats)))
        for old in [v for v in self.snapshots if v <= max(self.snapshots) - SNAPSHOTS_KEPT]:
            del self.snapshots[old]
        if version not in self.snapshots:
            raise ValueError(f"corpus snapshot {version} is older than the ones kept")
        return stored


@dataclass
class InMemoryPapers:
    current: dict[str, Paper] = field(default_factory=dict)  # the latest version, by id
    arrival: dict[str, int] = field(default_factory=dict)
    versions: dict[str, list[int | None]] = field(default_factory=dict)
    history: dict[tuple[str, int | None], Paper] = field(default_factory=dict)  # every version
    corpus: InMemoryCorpus = field(default_factory=InMemoryCorpus)  # counts the new papers

    def upsert_papers(
        self, papers: Sequence[Paper], documents: Sequence[PaperDocument] | None = None
    ) -> list[PaperWrite]:
        outcomes = []
        for paper in papers:
            seen = self.versions.setdefault(paper.id, [])
            current = self.current.get(paper.id)
            if paper.version in seen:
                outcomes.append(self._record_publication(paper))
                continue
            self.history[paper.key] = paper
            seen.append(paper.version)
            seen.sort(key=_version_rank)
            if current is None:
                self.current[paper.id] = paper
                self.arrival[paper.id] = len(self.arrival)
                outcomes.append(PaperWrite.NEW)
            elif _version_rank(paper.version) > _version_rank(current.version):
                self.current[paper.id] = paper
                outcomes.append(PaperWrite.NEW_VERSION)
            else:
                outcomes.append(PaperWrite.STALE)
        self.corpus.count(new_documents(papers, outcomes, documents))
        return outcomes

    def _record_publication(self, paper: Paper) -> PaperWrite:
        """A stored (id, version) again: a replay, or the journal publication of it."""
        stored = self.history.get(paper.key)
        merged = recorded_publication(stored, paper) if stored is not None else None
        if merged is None:
            return PaperWrite.UNCHANGED
        self.history[paper.key] = merged
        current = self.current.get(paper.id)
        if current is not None and current.version == paper.version:
            self.current[paper.id] = merged
        return PaperWrite.PUBLISHED

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.current.get(paper_id)

    def get_papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        return {i: self.current[i] for i in paper_ids if i in self.current}

    def paper_versions(self, paper_id: str) -> list[int | None]:
        return list(self.versions.get(paper_id, []))

    def _newest_first(self) -> list[Paper]:
        return sorted(
            self.current.values(), key=lambda p: (p.published, self.arrival[p.id]), reverse=True
        )

    def latest_papers(self, limit: int, offset: int = 0) -> list[Paper]:
        return self._newest_first()[offset : offset + limit]

    def count_papers(self) -> int:
        return len(self.current)

    def held_versions(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        return {k for k in keys if k in self.history}

    def drain_index_queue(self, limit: int = 500) -> int:
        return 0  # search reads the records themselves: nothing is ever waiting

    def rewrite_papers(self, rewrite: Callable[[Paper], Paper]) -> int:
        # Search reads the records themselves: rewriting them is re-indexing them.
        changed = 0
        for key, paper in list(self.history.items()):
            new = rewritten(rewrite, paper)
            if new != paper:
                changed += 1
                self.history[key] = new
        for paper_id, paper in list(self.current.items()):
            new = rewritten(rewrite, paper)
            if new != paper:
                changed += 1
                self.current[paper_id] = new
        if changed:  # other text, other tokens: count the corpus again
            self.corpus.totals = counted(map(PaperDocument.from_paper, self.current.values()))
        return changed

    def search(
        self,
        query: Node | None,
        filters: SearchFilters = NO_FILTERS,
        sort: Literal["relevance", "date"] = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        # Imported here: the evaluator is the reference semantics, used only when searching.
        from academichub.radar.document import PaperDocument
        from academichub.radar.evaluate import evaluate
        from academichub.radar.scoring import CorpusStats, score_document

        docs = [PaperDocument.from_paper(p) for p in self._newest_first()]
        stats = CorpusStats.from_documents(docs)
        hits: list[SearchHit] = []
        for doc in docs:
            if not passes_filters(doc.paper, filters):
                continue
            if query is None:
                hits.append(SearchHit(doc.paper, 0.0))
                continue
            fired = evaluate(query, doc)
            if fired is not None:
                hits.append(SearchHit(doc.paper, score_document(fired, doc, stats)))
        if sort == "relevance" and query is not None:
            hits.sort(key=lambda h: -h.score)  # stable: ties stay newest first
        return SearchPage(total=len(hits), hits=tuple(hits[offset : offset + limit]))


@dataclass
class InMemoryRadars:
    stored: dict[str, Radar] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)  # id -> lowest revision allowed back
    unannounced: dict[str, int] = field(default_factory=dict)  # id -> revision of its change
    # (scope, key) -> (fingerprint, radar made, expires at)
    requests: dict[tuple[str, str], tuple[str, Radar, dt.datetime]] = field(default_factory=dict)

    def put_radar(self, radar: Radar) -> bool:
        current = self.stored.get(radar.id)
        if current is not None and current.revision >= radar.revision:
            return False
        if self.deleted.get(radar.id, 0) >= radar.revision:
            return False
        self.stored[radar.id] = radar
        self.unannounced[radar.id] = radar.revision
        return True

    def delete_radar(self, radar_id: str) -> bool:
        radar = self.stored.pop(radar_id, None)
        if radar is None:
            return False
        self.deleted[radar_id] = radar.revision + 1
        self.unannounced[radar_id] = radar.revision + 1
        return True

    def put_radar_once(
        self, radar: Radar, request: RequestKey, now: dt.datetime
    ) -> KeyedRadar | None:
        held = self.requests.get((request.scope, request.key))
        if held is not None and held[2] > now:
            fingerprint, made, _ = held
            return KeyedRadar(made, created=False, same_request=fingerprint == request.fingerprint)
        if radar.id in self.stored or radar.id in self.deleted:
            return None
        self.put_radar(radar)
        self.requests[(request.scope, request.key)] = (
            request.fingerprint,
            radar,
            request.expires_at,
        )
        return KeyedRadar(radar, created=True)

    def unannounced_changes(self, limit: int = 100) -> list[RadarChange]:
        changes: list[RadarChange] = []
        for radar_id, revision in self.unannounced.items():
            radar = self.stored.get(radar_id)
            if radar is not None:
                changes.append(
                    RadarChange(kind="upsert", radar_id=radar_id, revision=revision, radar=radar)
                )
            else:
                changes.append(RadarChange(kind="delete", radar_id=radar_id, revision=revision))
        return changes[: max(limit, 0)]

    def mark_announced(self, radar_id: str, revision: int) -> None:
        if self.unannounced.get(radar_id, revision + 1) <= revision:
            del self.unannounced[radar_id]

    def get_radar(self, radar_id: str) -> Radar | None:
        return self.stored.get(radar_id)

    def list_radars(self, owner: str | None = None) -> list[Radar]:
        radars = sorted(self.stored.values(), key=lambda r: (r.created_at, r.id))
        return [r for r in radars if owner is None or r.owner == owner]

    def radar_revisions(self) -> dict[str, int]:
        return {radar_id: r.revision for radar_id, r in self.stored.items()}


@dataclass
class InMemoryMatches:
    briefings: InMemoryBriefings
    recorded: dict[tuple[str, str, int | None], Match] = field(default_factory=dict)
    emitted: set[tuple[str, str, int | None]] = field(default_factory=set)
    backfills: dict[str, BackfillMark] = field(default_factory=dict)
    queued: set[tuple[str, str, int | None]] = field(default_factory=set)

    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        todo = []
        for match in matches:
            self.recorded.setdefault(match.key, match)
            if match.key not in self.emitted:
                todo.append(self.recorded[match.key])
        return todo

    def record_found(self, found: Sequence[FoundMatches]) -> list[FoundMatches]:
        return regroup(self.record_matches(flatten(found)))

    def mark_emitted(self, found: Iterable[FoundMatches]) -> None:
        self.emitted.update(key for group in found for key in group.match_keys())

    def mark_queued(self, matches: Iterable[Match]) -> None:
        self.queued.update(m.key for m in matches if m.key in self.recorded)

    def unqueued_matches(self, recorded_before: dt.datetime, limit: int = 500) -> list[Match]:
        found = [
            m
            for k, m in self.recorded.items()
            if k not in self.queued and m.matched_at < recorded_before
        ]
        found.sort(key=lambda m: m.matched_at)
        return found[: max(limit, 0)]

    def matches_for_radar(
        self, radar_id: str, since: dt.datetime | None = None, limit: int = 100
    ) -> list[Match]:
        found = [
            m
            for m in self.recorded.values()
            if m.radar_id == radar_id and (since is None or m.matched_at >= since)
        ]
        found.sort(key=lambda m: (-m.score, m.paper_id))
        return found[:limit]

    def match_keys(self, radar_id: str) -> list[tuple[str, str, int | None]]:
        return [k for k in self.recorded if k[0] == radar_id]

    def retract_matches(self, keys: Iterable[tuple[str, str, int | None]]) -> int:
        gone = 0
        for key in set(keys):
            gone += self.recorded.pop(key, None) is not None
            self.emitted.discard(key)
            self.queued.discard(key)  # recorded again later, it is owed to a window afresh
            self.briefings.unqueue(key)
        return gone

    def backfill_mark(self, radar_id: str) -> BackfillMark | None:
        return self.backfills.get(radar_id)

    def mark_backfilled(self, mark: BackfillMark) -> None:
        held = self.backfills.get(mark.radar_id)
        if held is None or held.revision <= mark.revision:
            self.backfills[mark.radar_id] = mark

    def forget_backfill(self, radar_id: str) -> None:
        self.backfills.pop(radar_id, None)

    def versions_matched(
        self, paper_id: str, radar_ids: Iterable[str]
    ) -> dict[str, set[int | None]]:
        wanted = set(radar_ids)
        held: dict[str, set[int | None]] = {}
        for radar_id, paper, version in self.recorded:
            if paper == paper_id and radar_id in wanted:
                held.setdefault(radar_id, set()).add(version)
        return held


@dataclass
class InMemoryBriefings:
    pending: dict[str, list[PendingItem]] = field(default_factory=dict)
    window_opened: dict[str, dt.datetime] = field(default_factory=dict)
    briefed: set[tuple[str, str, int | None]] = field(default_factory=set)
    stored: dict[str, Briefing] = field(default_factory=dict)

    def enqueue_for_briefing(self, match: Match) -> bool:
        if match.key in self.briefed:
            return False
        queue = self.pending.setdefault(match.radar_id, [])
        if any((i.paper_id, i.version) == (match.paper_id, match.version) for i in queue):
            return False
        if not queue:
            self.window_opened[match.radar_id] = match.matched_at
        queue.append(PendingItem(match.paper_id, match.version, match.score, match.matched_at))
        return True

    def unqueue(self, key: tuple[str, str, int | None]) -> None:
        """Take a retracted match out of its radar's open window."""
        radar_id, paper_id, version = key
        queue = self.pending.get(radar_id, [])
        kept = [i for i in queue if (i.paper_id, i.version) != (paper_id, version)]
        self.pending[radar_id] = kept
        if self.pending[radar_id]:
            self.window_opened[radar_id] = min(i.enqueued_at for i in self.pending[radar_id])

    def _next_window(self, radar_id: str) -> int:
        return 1 + sum(1 for b in self.stored.values() if b.radar_id == radar_id)

    def open_windows(self) -> list[OpenWindow]:
        return [
            OpenWindow(r, self._next_window(r), self.window_opened[r], tuple(items))
            for r, items in sorted(self.pending.items())
            if items
        ]

    def close_window(self, briefing: Briefing, items: Sequence[PendingItem]) -> bool:
        if briefing.id in self.stored:
            return False
        self.stored[briefing.id] = briefing
        taken = {(i.paper_id, i.version) for i in items}
        queue = self.pending.get(briefing.radar_id, [])
        self.pending[briefing.radar_id] = [i for i in queue if (i.paper_id, i.version) not in taken]
        self.briefed.update((briefing.radar_id, p, v) for p, v in taken)
        if self.pending[briefing.radar_id]:
            self.window_opened[briefing.radar_id] = self.pending[briefing.radar_id][0].enqueued_at
        return True

    def get_briefing(self, briefing_id: str) -> Briefing | None:
        return self.stored.get(briefing_id)

    def briefings_for_radar(self, radar_id: str, limit: int = 50) -> list[Briefing]:
        found = [b for b in self.stored.values() if b.radar_id == radar_id]
        found.sort(key=lambda b: -b.window)
        return found[:limit]


@dataclass
class InMemoryVectors:
    """Vectors by model key: each paper's newest, and texts' (brute force, exact)."""

    papers: dict[str, dict[str, PaperVector]] = field(default_factory=dict)
    texts: dict[str, dict[str, Vectors]] = field(default_factory=dict)

    def _of(self, model: EmbeddingModel) -> dict[str, PaperVector]:
        return self.papers.setdefault(model.key, {})

    def put_vectors(self, model: EmbeddingModel, vectors: Sequence[PaperVector]) -> list[bool]:
        held = self._of(model)
        written = []
        for row in vectors:
            check_vector(model, row.vector)
            stored = held.get(row.paper_id)
            newer = stored is None or _version_rank(row.version) > _version_rank(stored.version)
            if newer:
                held[row.paper_id] = row
            written.append(newer)
        return written

    def vectors_held(
        self, model: EmbeddingModel, keys: Iterable[tuple[str, int | None]]
    ) -> set[tuple[str, int | None]]:
        held = self._of(model)
        return {
            (paper_id, version)
            for paper_id, version in keys
            if paper_id in held and _version_rank(held[paper_id].version) >= _version_rank(version)
        }

    def paper_vectors(
        self, model: EmbeddingModel, paper_ids: Iterable[str]
    ) -> dict[str, PaperVector]:
        held = self._of(model)
        return {i: held[i] for i in paper_ids if i in held}

    def window(self, model: EmbeddingModel, since: dt.date, until: dt.date) -> VectorWindow:
        rows = sorted(
            (r for r in self._of(model).values() if since <= r.published <= until),
            key=lambda r: r.paper_id,
        )
        return VectorWindow.of(model, rows)

    def nearest(
        self,
        model: EmbeddingModel,
        vector: Vectors,
        *,
        limit: int,
        filters: SearchFilters = NO_FILTERS,
        exclude: Iterable[str] = (),
    ) -> list[Neighbour]:
        query = check_vector(model, vector)
        left_out = set(exclude)
        scored = [
            Neighbour(r.paper_id, float(r.vector @ query))
            for r in self._of(model).values()
            if r.paper_id not in left_out and filters.admits(r.source, r.categories, r.published)
        ]
        scored.sort(key=lambda n: (-n.similarity, n.paper_id))
        return scored[: max(limit, 0)]

    def count_vectors(self, model: EmbeddingModel) -> int:
        return len(self._of(model))

    def put_text_vectors(self, model: EmbeddingModel, vectors: Mapping[str, Vectors]) -> None:
        texts = self.texts.setdefault(model.key, {})
        for text, vector in vectors.items():
            texts[text] = check_vector(model, vector)

    def text_vectors(self, model: EmbeddingModel, texts: Iterable[str]) -> dict[str, Vectors]:
        held = self.texts.get(model.key, {})
        return {t: held[t] for t in texts if t in held}


@dataclass
class InMemoryIngestState:
    published: set[tuple[str, int | None]] = field(default_factory=set)
    cursors: dict[str, dict[str, str]] = field(default_factory=dict)
    preprints: dict[str, Paper] = field(default_factory=dict)  # remembered, by paper id
    preprint_ids: dict[str, str] = field(default_factory=dict)  # DOI -> paper id
    # The sent outbox, in the order first kept: key -> (paper, check at, attempts).
    sent: dict[tuple[str, int | None], tuple[Paper, dt.datetime, int]] = field(default_factory=dict)

    def unpublished(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        return {k for k in keys if k not in self.published}

    def mark_published(
        self,
        keys: Iterable[tuple[str, int | None]],
        sent: Sequence[Paper] = (),
        check_at: dt.datetime | None = None,
    ) -> None:
        if sent and check_at is None:
            raise ValueError("papers kept as sent need a check time")
        self.published.update(keys)
        for paper in sent:
            assert check_at is not None
            self.sent.setdefault(paper.key, (paper, check_at, 0))

    def sent_papers_due(self, now: dt.datetime, limit: int = 500) -> list[SentPaper]:
        due = [(at, paper, n) for paper, at, n in self.sent.values() if at <= now]
        due.sort(key=lambda d: d[0])
        return [SentPaper(paper, n) for _, paper, n in due[: max(limit, 0)]]

    def settle_sent(
        self,
        stored: Iterable[tuple[str, int | None]],
        resent: Iterable[tuple[tuple[str, int | None], dt.datetime]] = (),
    ) -> None:
        for key in stored:
            self.sent.pop(key, None)
        for key, check_at in resent:
            if key in self.sent:
                paper, _, attempts = self.sent[key]
                self.sent[key] = (paper, check_at, attempts + 1)

    def count_sent(self, min_attempts: int = 0) -> int:
        return sum(1 for _, _, n in self.sent.values() if n >= min_attempts)

    def trim_sent(self, keep: int) -> int:
        extra = list(self.sent)[: max(len(self.sent) - max(keep, 0), 0)]
        for key in extra:
            del self.sent[key]
        return len(extra)

    def get_cursor(self, source: str) -> dict[str, str] | None:
        return self.cursors.get(source)

    def set_cursor(self, source: str, cursor: dict[str, str]) -> None:
        self.cursors[source] = dict(cursor)

    def remember_preprints(self, papers: Sequence[Paper]) -> None:
        for paper in papers:
            dois = preprint_dois(paper)
            if not dois:
                continue
            held = self.preprints.get(paper.id)
            if held is None or _version_rank(paper.version) >= _version_rank(held.version):
                self.preprints[paper.id] = paper
            for doi in dois:
                self.preprint_ids[doi] = paper.id

    def preprints_for_dois(self, dois: Iterable[str]) -> dict[str, Paper]:
        found: dict[str, Paper] = {}
        for doi in dois:
            paper_id = self.preprint_ids.get(doi.lower())
            if paper_id is not None:
                found[doi.lower()] = self.preprints[paper_id]
        return found


@dataclass
class InMemoryBrieferState:
    """The briefer's state; delivery and upgrades read and replace the briefings part's
    stored briefings, as the real adapters do in one table or index."""

    briefings: InMemoryBriefings
    summaries: dict[tuple[str, int | None], PaperSummary] = field(default_factory=dict)
    revisions: dict[str, int] = field(default_factory=dict)  # absent: revision 1
    published_revisions: dict[str, int] = field(default_factory=dict)  # id -> revision
    awaiting_upgrade: dict[str, None] = field(default_factory=dict)  # an ordered set
    token_usage_by_day: dict[tuple[dt.date, str], int] = field(default_factory=dict)

    def get_summaries(
        self, keys: Iterable[tuple[str, int | None]]
    ) -> dict[tuple[str, int | None], PaperSummary]:
        return {k: self.summaries[k] for k in keys if k in self.summaries}

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> int:
        new = 0
        for summary in summaries:
            if summary.key not in self.summaries:
                self.summaries[summary.key] = summary
                new += 1
        return new

    def unpublished_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        out: list[tuple[Briefing, int]] = []
        for briefing_id, briefing in self.briefings.stored.items():
            revision = self.revisions.get(briefing_id, 1)
            if self.published_revisions.get(briefing_id, 0) < revision:
                out.append((briefing, revision))
        return out[: max(limit, 0)]

    def mark_briefing_published(self, briefing_id: str, revision: int) -> None:
        current = self.published_revisions.get(briefing_id, 0)
        self.published_revisions[briefing_id] = max(current, revision)

    def mark_for_upgrade(self, briefing_id: str) -> None:
        self.awaiting_upgrade[briefing_id] = None

    def briefings_to_upgrade(self, limit: int = 20) -> list[Briefing]:
        stored = self.briefings.stored
        found = [stored[i] for i in self.awaiting_upgrade if i in stored]
        return found[: max(limit, 0)]

    def upgrade_briefing(self, briefing: Briefing) -> int | None:
        stored = self.briefings.stored.get(briefing.id)
        if stored is None or briefing.id not in self.awaiting_upgrade or not stored.degraded:
            return None
        if (briefing.radar_id, briefing.window) != (stored.radar_id, stored.window):
            raise ValueError(f"an upgrade of {briefing.id} must keep its radar and window")
        self.briefings.stored[briefing.id] = briefing
        del self.awaiting_upgrade[briefing.id]
        revision = self.revisions.get(briefing.id, 1) + 1
        self.revisions[briefing.id] = revision
        return revision

    def drop_upgrade(self, briefing_id: str) -> None:
        self.awaiting_upgrade.pop(briefing_id, None)

    def add_token_usage(self, day: dt.date, accounts: Sequence[str], tokens: int) -> None:
        for account in dict.fromkeys(accounts):
            key = (day, account)
            self.token_usage_by_day[key] = self.token_usage_by_day.get(key, 0) + tokens

    def token_usage(self, day: dt.date, accounts: Sequence[str]) -> dict[str, int]:
        return {a: self.token_usage_by_day.get((day, a), 0) for a in accounts}


@dataclass
class InMemoryDeadLetters:
    sent: set[str] = field(default_factory=set)

    def dead_lettered(self, letter_ids: Iterable[str]) -> set[str]:
        return {i for i in letter_ids if i in self.sent}

    def remember_dead_letters(self, letter_ids: Iterable[str]) -> None:
        self.sent.update(letter_ids)


class InMemoryStore:
    """Every part in memory (:class:`~academichub.store.port.Store`); facets are counted
    over every matching paper (:class:`ScanFacets`)."""

    def __init__(self) -> None:
        self.papers = InMemoryPapers()
        self.facets = ScanFacets(self.papers)
        self.radars = InMemoryRadars()
        self.briefings = InMemoryBriefings()
        self.matches = InMemoryMatches(self.briefings)
        self.vectors = InMemoryVectors()
        self.ingest = InMemoryIngestState()
        self.briefer = InMemoryBrieferState(self.briefings)
        self.accounts = InMemoryAccountStore()
        self.delivery = InMemoryDelivery(self.briefings.stored, self.briefer.revisions)
        self.dead_letters = InMemoryDeadLetters()
        self.corpus = self.papers.corpus
        self.closed = False

    def ping(self) -> None:
        if self.closed:
            raise RuntimeError("store is closed")

    def close(self) -> None:
        self.closed = True
