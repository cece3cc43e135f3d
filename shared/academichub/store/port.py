"""What the services need from storage, split by what it holds.

A store adapter (:class:`Store`) is made of parts, one small protocol per aggregate, and
holds each as an attribute: ``papers`` (:class:`PaperStore`: papers, search, the index
queue), ``facets`` (:class:`~academichub.store.facets.FacetStore`), ``radars``
(:class:`RadarStore`), ``matches`` (:class:`MatchStore`), ``briefings``
(:class:`BriefingStore`: windows and briefings), ``vectors`` (:class:`VectorStore`: each
paper's embedding and the embeddings of described interests, nearest-paper search),
``ingest`` (:class:`IngestStateStore`: published keys, cursors, preprint links),
``briefer`` (:class:`BrieferStateStore`: summaries, publication, token usage), ``accounts``
(:class:`~academichub.store.accounts.AccountStore`), ``delivery``
(:class:`~academichub.store.delivery.DeliveryStore`: digests, webhooks and what was sent),
``dead_letters`` (:class:`DeadLetterLog`) and ``corpus`` (:class:`CorpusStore`: the
running totals BM25 needs, counted as papers are first stored, and their versioned
snapshots), plus its lifecycle (``ping``, ``close``).
Each service's composition root hands each component only the parts it uses.

Every write is idempotent: papers keyed by (id, version), radars by (id, revision),
matches by (radar, paper, version), briefings by (radar, window), vectors by (paper,
version, embedding model). Replaying any topic into the store therefore changes nothing.

The store also drives recovery when the broker loses what it held (a broker restart, a
topic deleted): three parts keep what was handed to the broker until it is known to have
arrived -- radar changes until announced (:class:`RadarStore`, an outbox the gateway
relays), matches until queued for a briefing (:class:`MatchStore`), and the papers the
ingestor published until the store holds them (:class:`IngestStateStore`).

Methods are synchronous: the embedded adapter's calls are short, and async callers
reach them through the one door, :class:`academichub.store.door.AsyncStore`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from academichub.contracts import Briefing, Match, Paper, Radar, RadarChange
from academichub.contracts.match_groups import FoundMatches
from academichub.embedding.port import EmbeddingModel, Vectors
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.radar.scoring import CorpusStats

if TYPE_CHECKING:
    from academichub.store.accounts import AccountStore
    from academichub.store.delivery import DeliveryStore
    from academichub.store.facets import FacetStore


class PaperWrite(enum.Enum):
    """What ``upsert_papers`` did with one paper."""

    NEW = "new"  # first time this paper id is seen
    NEW_VERSION = "new_version"  # a newer version replaced the stored one
    UNCHANGED = "unchanged"  # this (id, version) is already stored: a replay
    STALE = "stale"  # an older version than the stored one: kept in history only
    # This (id, version) is stored, and the paper now carries the journal publication of it
    # (doi, journal_ref; see academichub.store.publication.recorded_publication): merged into
    # the stored documents and re-indexed. Matching treats it like UNCHANGED.
    PUBLISHED = "published"


@dataclass(frozen=True)
class SearchFilters:
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    published_from: dt.date | None = None
    published_to: dt.date | None = None

    def admits(self, source: str, categories: Iterable[str], published: dt.date) -> bool:
        """Whether a paper of this source, categories and date passes: any of the sources
        (``journal:*`` a prefix), any of the categories, within the dates."""
        if self.sources and not any(
            source == s or (s.endswith("*") and source.startswith(s[:-1])) for s in self.sources
        ):
            return False
        if self.categories and not set(self.categories) & set(categories):
            return False
        if self.published_from and published < self.published_from:
            return False
        return not (self.published_to and published > self.published_to)


NO_FILTERS = SearchFilters()


@dataclass(frozen=True)
class SearchHit:
    paper: Paper
    score: float


@dataclass(frozen=True)
class SearchPage:
    total: int
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class PendingItem:
    """A matched paper waiting in a radar's open briefing window."""

    paper_id: str
    version: int | None
    score: float
    enqueued_at: dt.datetime


@dataclass(frozen=True)
class BackfillMark:
    """A radar's backfill, done: its query at ``revision`` was matched against the stored
    papers of the recent days (``first_day`` to ``last_day``), and ``papers`` distinct
    papers matched. The matcher runs a backfill again only when the query differs; the
    briefer briefs the backfill at once when it is the radar's first window."""

    radar_id: str
    revision: int
    query: str
    first_day: dt.date
    last_day: dt.date
    papers: int
    done_at: dt.datetime

    def as_document(self) -> dict[str, object]:
        """As JSON data (the stores keep it so)."""
        return {
            "radar_id": self.radar_id,
            "revision": self.revision,
            "query": self.query,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "papers": self.papers,
            "done_at": self.done_at.isoformat(),
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> BackfillMark:
        return cls(
            radar_id=str(doc["radar_id"]),
            revision=int(doc["revision"]),
            query=str(doc["query"]),
            first_day=dt.date.fromisoformat(doc["first_day"]),
            last_day=dt.date.fromisoformat(doc["last_day"]),
            papers=int(doc["papers"]),
            done_at=dt.datetime.fromisoformat(doc["done_at"]),
        )


@dataclass(frozen=True)
class RequestKey:
    """A client's key for one request (``Idempotency-Key``), scoped to the caller, with a
    fingerprint of what it asked and until when the key is remembered."""

    scope: str
    key: str
    fingerprint: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class KeyedRadar:
    """What :meth:`RadarStore.put_radar_once` did: ``radar`` is the radar made under the
    key, by this call (``created``) or an earlier one; ``same_request`` is False when the
    key was used before for a request with another fingerprint (nothing was written)."""

    radar: Radar
    created: bool
    same_request: bool = True


@dataclass(frozen=True)
class SentPaper:
    """A paper the ingestor published and the store was not yet seen to hold, with how
    many times it was published again since."""

    paper: Paper
    attempts: int = 0


@dataclass(frozen=True)
class OpenWindow:
    radar_id: str
    window: int
    opened_at: dt.datetime
    items: tuple[PendingItem, ...] = field(default=())


class PaperStore(Protocol):
    def upsert_papers(
        self, papers: Sequence[Paper], documents: Sequence[PaperDocument] | None = None
    ) -> list[PaperWrite]:
        """Store papers (whole documents, newest version wins) and make them searchable.
        ``documents``: each paper's :meth:`PaperDocument.from_paper`, in the order of
        ``papers``, when the caller has them (the matcher): the corpus totals
        (:class:`CorpusStore`) then count the new papers from them instead of analysing
        them again."""
        ...

    def get_paper(self, paper_id: str) -> Paper | None:
        """The latest stored version of a paper."""
        ...

    def get_papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]: ...

    def paper_versions(self, paper_id: str) -> list[int | None]:
        """Every version of the paper seen, oldest first."""
        ...

    def latest_papers(self, limit: int, offset: int = 0) -> list[Paper]:
        """Newest announcements first (published date, then arrival order)."""
        ...

    def count_papers(self) -> int: ...

    def held_versions(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        """The (id, version) keys among ``keys`` whose version is stored (current or in
        the paper's history)."""
        ...

    def drain_index_queue(self, limit: int = 500) -> int:
        """Index papers stored by processes that do not write the full-text index, and
        return how many; 0 where every writer indexes its own papers."""
        ...

    def search(
        self,
        query: Node | None,
        filters: SearchFilters = NO_FILTERS,
        sort: Literal["relevance", "date"] = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        """Papers matching ``query`` (all papers when None) under ``filters``."""
        ...

    def rewrite_papers(self, rewrite: Callable[[Paper], Paper]) -> int:
        """Pass every stored paper document, current versions and history, through
        ``rewrite`` and keep what it returns in place, then make every current paper
        searchable again with the current analysis (:mod:`academichub.radar.analysis`).
        A rewrite changes text, never identity: a different id or version raises
        ValueError. Matches and everything else keyed by (id, version) are untouched.
        Returns how many documents changed; running it again changes none."""
        ...


class RadarStore(Protocol):
    """Radars by id and revision, and the outbox of their changes.

    Every write that changes a radar (``put_radar`` that writes, ``delete_radar`` that
    deletes, ``put_radar_once`` that creates) records the change as *unannounced* in the
    same transaction (Elasticsearch: in the same document), so a change can never be
    stored and lost before it reaches the ``radars`` topic: the gateway publishes it and
    then :meth:`mark_announced`; what a crash or a broker outage left unannounced is
    listed by :meth:`unannounced_changes` and relayed. Only a radar's latest change is
    kept: the matcher applies the newest revision, so announcing it covers the older ones.
    """

    def put_radar(self, radar: Radar) -> bool:
        """Store the radar unless a same-or-newer revision is stored; True if written."""
        ...

    def delete_radar(self, radar_id: str) -> bool:
        """Delete the radar (its delete change has the next revision); False if absent."""
        ...

    def get_radar(self, radar_id: str) -> Radar | None: ...

    def list_radars(self, owner: str | None = None) -> list[Radar]: ...

    def put_radar_once(
        self, radar: Radar, request: RequestKey, now: dt.datetime
    ) -> KeyedRadar | None:
        """Store a new ``radar`` as the one made under ``request``'s key, unless that key
        (in its scope, not expired at ``now``) made one already: then nothing is written
        and that radar, as it was made, is returned (``same_request`` says whether the
        fingerprints agree). The key is remembered until ``request.expires_at``; an
        expired key is free again. None (nothing written) when the radar's id is taken."""
        ...

    def unannounced_changes(self, limit: int = 100) -> list[RadarChange]:
        """The latest change of each radar not yet marked announced (an upsert carrying
        the stored radar, or a delete), at most ``limit``."""
        ...

    def mark_announced(self, radar_id: str, revision: int) -> None:
        """Record that the radar's change at ``revision`` is on the topic (a newer change
        stored since stays unannounced)."""
        ...

    def radar_revisions(self) -> dict[str, int]:
        """The revision of every stored radar, by id (without reading the radars: the
        matcher compares it with the revisions of its index snapshot)."""
        ...


class MatchStore(Protocol):
    """Matches by (radar, paper, version): recorded by the matcher, marked emitted once
    the broker acknowledged them, and marked queued once the briefer put them into a
    briefing window. A match recorded long ago and still not queued was lost on its way
    (the broker lost the ``matches`` topic): the briefer queues it from here.

    A store may keep both marks per *group* rather than per match: the matches of one paper
    version recorded at one ``matched_at`` (one :class:`FoundMatches` as ``record_found``
    takes it; a match carries its group's keys). Then a match is marked when its whole
    group is: what is marked of a group only in part stays owed (handed back again, or
    listed as unqueued), so delivery stays at least once, never lost."""

    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        """Insert matches absent so far; return every given match not yet emitted."""
        ...

    def record_found(self, found: Sequence[FoundMatches]) -> list[FoundMatches]:
        """:meth:`record_matches` for matches grouped per paper version (the matcher's
        batches): what is not yet emitted, grouped again (a replayed match as first
        recorded)."""
        ...

    def mark_emitted(self, found: Iterable[FoundMatches]) -> None:
        """Record that the broker acknowledged the events of these groups, as
        ``record_found`` handed them out (each group's not-yet-emitted matches, which
        are all its matches: a store marking per group marks a group only if every match
        it holds is given)."""
        ...

    def mark_queued(self, matches: Iterable[Match]) -> None:
        """Record that these matches are in a briefing window (or were briefed already).
        They may come a few of a group at a time (a group's events are split per partition
        of ``matches``; an older matcher sent one match per event): a store marking per
        group marks it once all of its matches were confirmed, by one call or several."""
        ...

    def unqueued_matches(self, recorded_before: dt.datetime, limit: int = 500) -> list[Match]:
        """Matches recorded before ``recorded_before`` and not marked queued, oldest
        first, as first recorded."""
        ...

    def matches_for_radar(
        self, radar_id: str, since: dt.datetime | None = None, limit: int = 100
    ) -> list[Match]:
        """A radar's matches, best score first."""
        ...

    def match_keys(self, radar_id: str) -> list[tuple[str, str, int | None]]:
        """Every (radar, paper, version) key matched to the radar, in no set order."""
        ...

    def retract_matches(self, keys: Iterable[tuple[str, str, int | None]]) -> int:
        """Forget these matches (the radar was deleted, or its query changed and no longer
        holds them), and take them out of their radar's open briefing window (a briefing
        already written keeps what it cited); return how many were stored."""
        ...

    def backfill_mark(self, radar_id: str) -> BackfillMark | None:
        """The radar's last finished backfill, if any."""
        ...

    def mark_backfilled(self, mark: BackfillMark) -> None:
        """Remember a finished backfill (replacing the radar's earlier one unless that is
        of a newer revision)."""
        ...

    def forget_backfill(self, radar_id: str) -> None:
        """Forget the radar's backfill (the radar was deleted)."""
        ...

    def versions_matched(
        self, paper_id: str, radar_ids: Iterable[str]
    ) -> dict[str, set[int | None]]:
        """The versions of one paper that matched each of ``radar_ids`` so far, in one
        look-up (radars it never matched are absent)."""
        ...


class BriefingStore(Protocol):
    def enqueue_for_briefing(self, match: Match) -> bool:
        """Put a match into its radar's open window; False if already queued or briefed."""
        ...

    def open_windows(self) -> list[OpenWindow]: ...

    def close_window(self, briefing: Briefing, items: Sequence[PendingItem]) -> bool:
        """Atomically store the briefing and take ``items`` out of the open window.

        Returns False (and changes nothing) if this (radar, window) is already written.
        """
        ...

    def get_briefing(self, briefing_id: str) -> Briefing | None: ...

    def briefings_for_radar(self, radar_id: str, limit: int = 50) -> list[Briefing]:
        """Newest window first."""
        ...


# --- vectors -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PaperVector:
    """One paper version's embedding (a unit float32 row), with what a semantic search
    filters by (the paper's date, source and categories, as :class:`SearchFilters`)."""

    paper_id: str
    version: int | None
    published: dt.date
    source: str
    categories: tuple[str, ...]
    vector: Vectors

    @classmethod
    def of(cls, paper: Paper, vector: Vectors) -> PaperVector:
        return cls(
            paper.id,
            paper.version,
            paper.published,
            paper.source,
            paper.categories,
            np.asarray(vector, dtype=np.float32),
        )

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.paper_id, self.version)


@dataclass(frozen=True, eq=False)
class VectorWindow:
    """The papers published in a date window that have vectors: ids, dates and one row
    each, in id order (what "about N papers a day" is measured on)."""

    paper_ids: tuple[str, ...]
    published: tuple[dt.date, ...]
    vectors: Vectors

    @classmethod
    def of(cls, model: EmbeddingModel, rows: Sequence[PaperVector]) -> VectorWindow:
        """The window holding ``rows`` (in the order given), stacked as float32: every
        adapter builds its window here."""
        matrix = (
            np.stack([r.vector for r in rows]).astype(np.float32, copy=False)
            if rows
            else np.zeros((0, model.dimension), dtype=np.float32)
        )
        return cls(tuple(r.paper_id for r in rows), tuple(r.published for r in rows), matrix)

    def __len__(self) -> int:
        return len(self.paper_ids)


@dataclass(frozen=True)
class Neighbour:
    """A stored paper near a vector: its id and cosine similarity."""

    paper_id: str
    similarity: float


class VectorStore(Protocol):
    """Each paper's embedding, once per version, and the embeddings of texts (a radar's
    described interest), each kept with the :class:`EmbeddingModel` that made it: every
    method reads and writes only the vectors of ``model`` (by its ``key``), so vectors of
    another model, weights or text recipe are never compared with these.

    Only a paper's newest version's vector is kept and read: a version older than or as
    old as the stored one is recognised as held, so a replay embeds nothing again.
    """

    def put_vectors(self, model: EmbeddingModel, vectors: Sequence[PaperVector]) -> list[bool]:
        """Store each vector unless its paper has a vector of this or a newer version;
        True where written. (At most one vector per paper in one call.)"""
        ...

    def vectors_held(
        self, model: EmbeddingModel, keys: Iterable[tuple[str, int | None]]
    ) -> set[tuple[str, int | None]]:
        """The (paper id, version) keys among ``keys`` whose vector, or a newer version's,
        is stored: the ones not to embed."""
        ...

    def paper_vectors(
        self, model: EmbeddingModel, paper_ids: Iterable[str]
    ) -> dict[str, PaperVector]:
        """The stored vector of each paper of ``paper_ids`` that has one."""
        ...

    def window(self, model: EmbeddingModel, since: dt.date, until: dt.date) -> VectorWindow:
        """Every paper published from ``since`` to ``until`` (both included) with a vector."""
        ...

    def nearest(
        self,
        model: EmbeddingModel,
        vector: Vectors,
        *,
        limit: int,
        filters: SearchFilters = NO_FILTERS,
        exclude: Iterable[str] = (),
    ) -> list[Neighbour]:
        """The ``limit`` stored papers nearest to the unit ``vector`` under ``filters``
        (``exclude``: paper ids left out), most similar first."""
        ...

    def count_vectors(self, model: EmbeddingModel) -> int:
        """How many papers have a vector."""
        ...

    def put_text_vectors(self, model: EmbeddingModel, vectors: Mapping[str, Vectors]) -> None:
        """Keep the vector of each text (a described interest), by the text itself."""
        ...

    def text_vectors(self, model: EmbeddingModel, texts: Iterable[str]) -> dict[str, Vectors]:
        """The stored vector of each of ``texts`` that has one, by text."""
        ...


class PreprintLinkStore(Protocol):
    """The ingestor's memory of published preprints by DOI, to record a journal publication
    on its preprint instead of publishing the journal entry as a second paper.

    A preprint is kept under every DOI :func:`academichub.store.publication.preprint_dois`
    names (its own, and its journal version's once known); papers that are no preprint are
    ignored. Per paper id the highest version remembered wins (a later remember of the same
    version replaces it: it may carry the publication merged since).
    """

    def remember_preprints(self, papers: Sequence[Paper]) -> None: ...

    def preprints_for_dois(self, dois: Iterable[str]) -> dict[str, Paper]:
        """The remembered preprint for each of ``dois`` that names one, keyed by the
        lower-cased DOI."""
        ...


class IngestStateStore(PreprintLinkStore, Protocol):
    """The ingestor's state: the (id, version) keys it published, a cursor per source, the
    preprints it published (:class:`PreprintLinkStore`), and the papers it sent that the
    store was not yet seen to hold (the *sent* outbox: a broker that loses the ``papers``
    topic loses them, and the ingestor publishes them again from here)."""

    def unpublished(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        """The (id, version) keys among ``keys`` not yet published by the ingestor."""
        ...

    def mark_published(
        self,
        keys: Iterable[tuple[str, int | None]],
        sent: Sequence[Paper] = (),
        check_at: dt.datetime | None = None,
    ) -> None:
        """Mark ``keys`` published and, in the same write, keep ``sent`` (the papers the
        broker acknowledged) until :meth:`settle_sent` says the store holds them; they are
        due for that check at ``check_at`` (required when ``sent`` is given). A paper
        already kept is kept once, its check time unchanged."""
        ...

    def sent_papers_due(self, now: dt.datetime, limit: int = 500) -> list[SentPaper]:
        """Kept papers whose check is due at ``now``, the earliest due first."""
        ...

    def settle_sent(
        self,
        stored: Iterable[tuple[str, int | None]],
        resent: Iterable[tuple[tuple[str, int | None], dt.datetime]] = (),
    ) -> None:
        """Forget the kept papers the store holds (``stored``); for each of ``resent``
        (published again), count the attempt and set its next check time."""
        ...

    def count_sent(self, min_attempts: int = 0) -> int:
        """How many papers are kept (published again at least ``min_attempts`` times)."""
        ...

    def trim_sent(self, keep: int) -> int:
        """Forget the earliest kept papers beyond ``keep``; return how many (a bound on
        the outbox when the store never receives what was sent)."""
        ...

    def get_cursor(self, source: str) -> dict[str, str] | None: ...

    def set_cursor(self, source: str, cursor: dict[str, str]) -> None: ...


class DeadLetterLog(Protocol):
    """The records a consumer has dead-lettered, by letter id
    (:func:`academichub.broker.dead_letters.letter_id`): for a consumer that reads its
    topic from the start on every run, so that it sends each dead letter once."""

    def dead_lettered(self, letter_ids: Iterable[str]) -> set[str]:
        """The ids among ``letter_ids`` remembered as sent."""
        ...

    def remember_dead_letters(self, letter_ids: Iterable[str]) -> None: ...


# --- corpus statistics -----------------------------------------------------------------


@dataclass(frozen=True)
class CorpusSnapshot:
    """The corpus totals frozen under a version number: every matcher that scores with
    version N scores with exactly these figures (``stats`` must not be changed)."""

    version: int
    stats: CorpusStats


@dataclass(frozen=True)
class CorpusState:
    """What a matcher checks before each batch, in one read: the newest snapshot's version
    (0: none yet) and how many papers the running totals count now."""

    snapshot_version: int
    n_docs: int


class CorpusStore(Protocol):
    """The figures BM25 needs about the stored papers (:class:`CorpusStats`: how many,
    their title and abstract tokens, how many hold each stem), and snapshots of them.

    The running totals count each paper once, as ``upsert_papers`` stores it for the first
    time (:attr:`PaperWrite.NEW`; the stems of
    :meth:`academichub.radar.document.PaperDocument.from_paper`), with the paper's write
    where the adapter has transactions. Later versions and journal publications are not
    counted again; ``rewrite_papers`` has them counted again from the current versions
    (embedded and memory adapters). The totals move with every batch; snapshots do not: version N is
    written once (the first writer wins) and read by every matcher that scores with it.
    Only the newest few versions are kept.
    """

    def corpus_state(self) -> CorpusState: ...

    def corpus_totals(self) -> CorpusStats:
        """The running totals now (a copy the caller owns)."""
        ...

    def corpus_snapshot(self) -> CorpusSnapshot | None:
        """The newest snapshot, if any."""
        ...

    def snapshot_corpus_once(self, version: int, stats: CorpusStats) -> CorpusSnapshot:
        """Store ``stats`` as snapshot ``version`` unless that version exists; return the
        stored one (this call's or the earlier writer's: racing callers get the same).
        The snapshot returned may hold ``stats`` itself: the caller no longer changes it."""
        ...


# --- the briefer's own state ----------------------------------------------------------
# One part (``briefer``) in three protocols: the summary cache, the token ledger and the
# service each use one.


@dataclass(frozen=True)
class PaperSummary:
    """The TL;DRs of one paper version, written once and shared by every radar."""

    paper_id: str
    version: int | None
    tldr_en: str
    tldr_zh: str
    model: str  # the model that wrote them
    created_at: dt.datetime

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.paper_id, self.version)


class SummaryStore(Protocol):
    def get_summaries(
        self, keys: Iterable[tuple[str, int | None]]
    ) -> dict[tuple[str, int | None], PaperSummary]:
        """The stored summaries among ``keys`` (paper id, version)."""
        ...

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> int:
        """Store summaries not stored yet (the first write of a key wins, so two briefers
        summarising the same paper at once keep one); return how many were new."""
        ...


class BriefingDeliveryStore(Protocol):
    """Which stored briefings still have to be published, and which await an upgrade.

    A briefing stored by ``close_window`` is revision 1 and unpublished until
    :meth:`mark_briefing_published`. A degraded briefing marked for upgrade may be
    replaced once by :meth:`upgrade_briefing`, which bumps its revision (same id, same
    window) so that the new revision is unpublished again.
    """

    def unpublished_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        """Stored briefings whose current revision is not published yet, with that
        revision, oldest first."""
        ...

    def mark_briefing_published(self, briefing_id: str, revision: int) -> None:
        """Record that ``revision`` of the briefing is published (an older revision
        than the stored one leaves the stored one unpublished)."""
        ...

    def mark_for_upgrade(self, briefing_id: str) -> None:
        """Remember that this briefing (stored now or about to be) should be rewritten
        by the model when it is available again. Idempotent."""
        ...

    def briefings_to_upgrade(self, limit: int = 20) -> list[Briefing]:
        """Stored briefings marked for upgrade, in marking order (a mark whose
        briefing is not stored yet is kept and skipped)."""
        ...

    def upgrade_briefing(self, briefing: Briefing) -> int | None:
        """Atomically replace the stored, still degraded briefing with the same id by
        ``briefing`` and clear its mark; return the new revision, or None (and change
        nothing) when it is not marked, not stored, or no longer degraded."""
        ...

    def drop_upgrade(self, briefing_id: str) -> None:
        """Forget the mark (the radar is gone, or the stored briefing needs none)."""
        ...


class TokenUsageStore(Protocol):
    """Tokens spent per UTC day and account (``radar:<id>``, ``user:<owner>``).

    Counters add up, so unlike every other write these are not idempotent: they are
    written once per model call, never from a replayed event. Days older than a week
    may be forgotten.
    """

    def add_token_usage(self, day: dt.date, accounts: Sequence[str], tokens: int) -> None: ...

    def token_usage(self, day: dt.date, accounts: Sequence[str]) -> dict[str, int]:
        """Tokens spent on ``day`` by each of ``accounts`` (0 when none)."""
        ...


class BrieferStateStore(SummaryStore, BriefingDeliveryStore, TokenUsageStore, Protocol):
    """Everything the briefer keeps beside the briefings themselves."""


# --- the adapter --------------------------------------------------------------------------


class Store(Protocol):
    """A store adapter: its parts, and its lifecycle. Closing it closes every part."""

    @property
    def papers(self) -> PaperStore: ...

    @property
    def facets(self) -> FacetStore: ...

    @property
    def radars(self) -> RadarStore: ...

    @property
    def matches(self) -> MatchStore: ...

    @property
    def briefings(self) -> BriefingStore: ...

    @property
    def vectors(self) -> VectorStore: ...

    @property
    def ingest(self) -> IngestStateStore: ...

    @property
    def briefer(self) -> BrieferStateStore: ...

    @property
    def accounts(self) -> AccountStore: ...

    @property
    def delivery(self) -> DeliveryStore: ...

    @property
    def dead_letters(self) -> DeadLetterLog: ...

    @property
    def corpus(self) -> CorpusStore: ...

    def ping(self) -> None:
        """Raise if the store is unusable (for readiness probes)."""
        ...

    def close(self) -> None: ...
