"""The Elasticsearch :class:`~academichub.store.port.Store`, for institution scale.

Elasticsearch has no multi-document transaction, so every write is made idempotent per
document and every multi-document step is ordered so that a crash half-way is either
harmless or finished by the next call:

* **Papers** are written whole to the papers alias with ``_id`` = canonical id and
  ``version_type=external`` (version = the paper version, 0 for none): a replay or an older
  version is a 409 that changes nothing. In the same bulk request each (id, version) is
  created (``op_type=create``) in the paper-versions index, the history that tells a replay
  (UNCHANGED) from a late older version (STALE). The arrival sequence that orders papers of
  one day comes from an atomic counter document and is carried over to new versions.
* **Radars** are written with their revision as external version; a delete writes a
  tombstone one revision higher, so a replayed older upsert is refused for ever. Both wait
  until a refresh made them searchable (``refresh=wait_for``): the gateway lists a user's
  radars right after saving one, and radar changes are rare.
* **Matches** are created once (``op_type=create``) keyed by radar+paper+version, with an
  ``emitted`` flag updated after the broker acknowledged them.
* **Briefing windows**: one document per (radar, paper, version) is created on enqueue
  (pending) and updated to briefed when its window closes, so "already queued or briefed"
  is one atomic create. ``close_window`` first creates the briefing (``op_type=create`` on
  the briefing id: the commit point, idempotent), then marks its items briefed, then flags
  the briefing applied. A crash between those steps is finished by a replayed
  ``close_window`` or by the next ``open_windows``, which re-applies any briefing not yet
  flagged applied (the briefing lists its items). Items are updated, not deleted as the
  issue suggested: keeping the briefed document is what refuses a later re-enqueue.
  Each briefing also carries its delivery state (revision, published revision) and a
  storing order from a counter; the briefer's other state is in :mod:`.briefer_state`.
* **Ingest state**: published (id, version) keys and per-source cursors, written by id;
  preprints by DOI in :mod:`.preprint_links`.
* **Journal publications**: a stored (id, version) arriving again with a journal publication
  (``doi``, ``journal_ref``) is merged into its history document and, for the current
  version, rewritten in place in the papers alias (``PaperWrite.PUBLISHED``).

Reads by id (``get``/``mget``) are real-time. Searches (``search``, ``latest_papers``,
``count_papers``, listings and ``matched_versions``) are near-real-time: they see a write
after the next index refresh (1 s by default), unless the store was built with
``refresh=True`` (every write then refreshes; for tests and small installations).
``close_window`` always makes its effects visible before returning, so the briefer's next
``open_windows`` never offers items it just briefed. The requests themselves (backoff,
real-time reads, paged scans, counters) are :class:`~academichub.store.elastic.cluster.Cluster`'s.

Deep paging is bounded by ``index.max_result_window`` (offset + limit <= 10000 by default);
the listings that return everything page with ``search_after`` instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from elasticsearch import ConflictError, Elasticsearch

from academichub.contracts import Briefing, Match, Paper, Radar
from academichub.radar.ast import Node
from academichub.store.briefer_delegate import DelegatesBrieferState
from academichub.store.elastic import mappings as f
from academichub.store.elastic.backoff import Backoff
from academichub.store.elastic.briefer_state import BrieferState
from academichub.store.elastic.bulk import CONFLICT, NOT_FOUND, ItemResult, Operation
from academichub.store.elastic.cluster import UPDATE_RETRIES, Cluster, filtered
from academichub.store.elastic.dead_letters import ElasticsearchDeadLetters
from academichub.store.elastic.documents import (
    BRIEFED,
    PENDING,
    briefing_document,
    briefing_from,
    item_document,
    match_document,
    match_from,
    match_id,
    paper_document,
    paper_from,
    pending_item_from,
    radar_document,
    radar_from,
    tombstone_document,
    version_document,
    version_id,
    version_of,
    version_rank,
)
from academichub.store.elastic.errors import ElasticsearchStoreError, IndexMissing
from academichub.store.elastic.mappings import index_specs
from academichub.store.elastic.preprint_links import PreprintLinks
from academichub.store.elastic.query import MATCH_ALL, NEWEST_FIRST, search_body
from academichub.store.port import (
    NO_FILTERS,
    OpenWindow,
    PaperWrite,
    PendingItem,
    SearchFilters,
    SearchHit,
    SearchPage,
    Store,
)
from academichub.store.publication import recorded_publication

# Radar deletes racing with newer revisions: look again this many times before giving up.
_DELETE_ATTEMPTS: Final = 5
_CONFLICT_ONLY: Final = frozenset({CONFLICT})
_PAPERS_COUNTER: Final = "papers"
_BRIEFINGS_COUNTER: Final = "briefings"


def _items_counter(radar_id: str) -> str:
    # One counter per radar: a radar's matches are enqueued by one briefer, so no hot spot.
    # Radar ids hold no '.', so these never collide with other counters.
    return f"briefing-items.{radar_id}"


class ElasticsearchStore(DelegatesBrieferState):
    """The Elasticsearch :class:`~academichub.store.port.Store`, with the briefer's state
    (:class:`~academichub.store.port.SummaryStore`,
    :class:`~academichub.store.port.BriefingDeliveryStore`,
    :class:`~academichub.store.port.TokenUsageStore`; see :mod:`.briefer_state`).

    ``client`` is a synchronous :class:`elasticsearch.Elasticsearch`; the caller builds it,
    and closes it unless ``owns_client`` hands it to the store (``close()`` then closes it
    too). Run :func:`~academichub.store.elastic.mappings.ensure_indices` with the same
    ``prefix`` once before use. ``batch_size`` bounds the documents of one bulk or mget
    request, ``page_size`` the hits of one page of a listing. :attr:`cluster` is the
    store's view of the client, for the accounts and facets beside it.
    """

    def __init__(
        self,
        client: Elasticsearch,
        *,
        prefix: str = "academichub",
        refresh: bool = False,
        batch_size: int = 500,
        page_size: int = 1000,
        backoff: Backoff | None = None,
        owns_client: bool = False,
    ) -> None:
        self.cluster = Cluster(
            client,
            prefix=prefix,
            refresh=refresh,
            batch_size=batch_size,
            page_size=page_size,
            backoff=backoff,
            owns_client=owns_client,
        )
        self.names = self.cluster.names
        self._briefer = BrieferState(self.cluster)
        self._preprints = PreprintLinks(self.cluster)
        self.dead_letters = ElasticsearchDeadLetters(self.cluster)

    # --- papers -------------------------------------------------------------------
    def upsert_papers(self, papers: Sequence[Paper]) -> list[PaperWrite]:
        self.cluster.live()
        outcomes: list[PaperWrite] = []
        # Two operations per paper (history and current) in one bulk request.
        for batch in _batches(papers, self.cluster.batch_size // 2):
            outcomes.extend(self._upsert_batch(batch))
        return outcomes

    def _upsert_batch(self, papers: Sequence[Paper]) -> list[PaperWrite]:
        stored = self._stored_versions([p.id for p in papers])
        fresh = [p.id for p in papers if p.id not in stored]
        seqs = dict(zip(fresh, self.cluster.allocate(_PAPERS_COUNTER, len(fresh)), strict=True))
        operations: list[Operation] = []
        for paper in papers:
            seq = stored[paper.id][1] if paper.id in stored else seqs[paper.id]
            operations.append(
                Operation(
                    "create",
                    self.names.paper_versions,
                    version_id(paper.id, paper.version),
                    version_document(paper),
                    outcomes=_CONFLICT_ONLY,
                )
            )
            operations.append(
                Operation(
                    "index",
                    self.names.papers,
                    paper.id,
                    paper_document(paper, seq),
                    version=version_rank(paper.version),
                    # Never let a missing alias auto-create a concrete index in its place.
                    require_alias=True,
                    outcomes=_CONFLICT_ONLY,
                )
            )
        results = self.cluster.bulk(operations)
        history, current = results[0::2], results[1::2]
        # A refused write whose version was new to the history is STALE only if the stored
        # version is really newer; when the pre-read cannot tell (a concurrent writer got
        # there first), read again.
        unsure = [
            p.id
            for p, h, c in zip(papers, history, current, strict=True)
            if c.status == CONFLICT
            and h.status != CONFLICT
            and _stored_rank(stored, p.id) < version_rank(p.version)
        ]
        if unsure:
            stored = {**stored, **self._stored_versions(unsure)}
        outcomes = [
            _paper_outcome(p, h, c, _stored_rank(stored, p.id))
            for p, h, c in zip(papers, history, current, strict=True)
        ]
        again = [p for p, o in zip(papers, outcomes, strict=True) if o is PaperWrite.UNCHANGED]
        published = self._record_publications(again, stored) if again else set()
        return [
            PaperWrite.PUBLISHED if o is PaperWrite.UNCHANGED and p.id in published else o
            for p, o in zip(papers, outcomes, strict=True)
        ]

    def _record_publications(
        self, papers: Sequence[Paper], stored: Mapping[str, tuple[int, int]]
    ) -> set[str]:
        """Merge the journal publication that stored (id, version)s arriving again carry
        (:func:`~academichub.store.publication.recorded_publication`) into their history
        document and, for the current version, the papers document (rewritten in place:
        ``external_gte`` on its own version, refused if a newer version is stored by then).
        Returns the ids of the papers that carried one.

        The merge reads, then writes: two merges of one paper at once could lose one. They
        do not happen: a paper's events are keyed by its id, so one matcher handles them.
        """
        docs = self.cluster.mget(
            self.names.paper_versions, [version_id(*p.key) for p in papers], source=["paper"]
        )
        operations: list[Operation] = []
        published: set[str] = set()
        for paper in papers:
            doc = docs.get(version_id(*paper.key))
            merged = (
                None if doc is None else recorded_publication(paper_from(doc["_source"]), paper)
            )
            if merged is None:
                continue
            published.add(paper.id)
            operations.append(
                Operation(
                    "index",
                    self.names.paper_versions,
                    version_id(*paper.key),
                    version_document(merged),
                )
            )
            if _stored_rank(stored, paper.id) == version_rank(paper.version):
                operations.append(
                    Operation(
                        "index",
                        self.names.papers,
                        paper.id,
                        paper_document(merged, stored[paper.id][1]),
                        version=version_rank(paper.version),
                        version_type="external_gte",
                        require_alias=True,
                        outcomes=_CONFLICT_ONLY,
                    )
                )
        self.cluster.bulk(operations)
        return published

    def _stored_versions(self, paper_ids: list[str]) -> dict[str, tuple[int, int]]:
        """paper id -> (stored version rank, arrival seq) of the papers already stored."""
        docs = self.cluster.mget(self.names.papers, paper_ids, source=[f.SEQ])
        return {i: (int(d["_version"]), int(d["_source"][f.SEQ])) for i, d in docs.items()}

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.get_papers([paper_id]).get(paper_id)

    def get_papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        wanted = list(dict.fromkeys(paper_ids))
        docs = self.cluster.mget(self.names.papers, wanted, source=[f.PAPER])
        return {i: paper_from(docs[i]["_source"]) for i in wanted if i in docs}

    def paper_versions(self, paper_id: str) -> list[int | None]:
        hits = self.cluster.scan(
            self.names.paper_versions,
            filtered({"term": {"paper_id": paper_id}}),
            [{"version_rank": "asc"}],
            ["version_rank"],
        )
        return [version_of(int(h["_source"]["version_rank"])) for h in hits]

    def latest_papers(self, limit: int, offset: int = 0) -> list[Paper]:
        body = {
            "query": dict(MATCH_ALL),
            "sort": list(NEWEST_FIRST),
            "track_total_hits": False,
            "from": max(offset, 0),
            "size": max(limit, 0),
            "_source": [f.PAPER],
        }
        hits = self.cluster.search(self.names.papers, body)["hits"]["hits"]
        return [paper_from(h["_source"]) for h in hits]

    def count_papers(self) -> int:
        es = self.cluster.live()
        response = self.cluster.call(es.count, index=self.names.papers)
        return int(response.body["count"])

    def drain_index_queue(self, limit: int = 500) -> int:
        return 0  # every replica writes the papers alias itself: nothing is ever queued

    def search(
        self,
        query: Node | None,
        filters: SearchFilters = NO_FILTERS,
        sort: Literal["relevance", "date"] = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        body = search_body(query, filters, sort, limit, offset)
        found = self.cluster.search(self.names.papers, body)["hits"]
        hits = tuple(
            # _score is null when sorting by date without a query: nothing was scored.
            SearchHit(paper_from(h["_source"]), float(h.get("_score") or 0.0))
            for h in found["hits"]
        )
        return SearchPage(total=int(found["total"]["value"]), hits=hits)

    # --- radars -------------------------------------------------------------------
    def put_radar(self, radar: Radar) -> bool:
        es = self.cluster.live()
        try:
            self.cluster.call(
                es.index,
                index=self.names.radars,
                id=radar.id,
                document=radar_document(radar),
                version=radar.revision,
                version_type="external",
                refresh=self.cluster.visible,
            )
        except ConflictError:  # a same-or-newer revision, or a later delete, is stored
            return False
        return True

    def delete_radar(self, radar_id: str) -> bool:
        es = self.cluster.live()
        for _ in range(_DELETE_ATTEMPTS):
            stored = self.cluster.get(self.names.radars, radar_id, ["deleted"])
            if stored is None or stored["_source"]["deleted"]:
                return False
            tombstone_version = int(stored["_version"]) + 1
            try:
                self.cluster.call(
                    es.index,
                    index=self.names.radars,
                    id=radar_id,
                    document=tombstone_document(radar_id),
                    version=tombstone_version,
                    version_type="external",
                    refresh=self.cluster.visible,
                )
            except ConflictError:  # a newer revision landed since the read: look again
                continue
            return True
        raise ElasticsearchStoreError(
            f"radar {radar_id!r} kept changing while being deleted ({_DELETE_ATTEMPTS} tries)"
        )

    def get_radar(self, radar_id: str) -> Radar | None:
        stored = self.cluster.get(self.names.radars, radar_id, ["deleted", "radar"])
        if stored is None or stored["_source"]["deleted"]:
            return None
        return radar_from(stored["_source"])

    def list_radars(self, owner: str | None = None) -> list[Radar]:
        clauses: list[dict[str, Any]] = [{"term": {"deleted": False}}]
        if owner is not None:
            clauses.append({"term": {"owner": owner}})
        hits = self.cluster.scan(
            self.names.radars,
            filtered(*clauses),
            [{"created_at": "asc"}, {"radar_id": "asc"}],
            ["radar"],
        )
        return [radar_from(h["_source"]) for h in hits]

    # --- matches ------------------------------------------------------------------
    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        self.cluster.live()
        operations = [
            Operation(
                "create",
                self.names.matches,
                match_id(*m.key),
                match_document(m),
                outcomes=_CONFLICT_ONLY,
            )
            for m in matches
        ]
        results = self.cluster.bulk(operations)
        recorded = [
            op.doc_id for op, r in zip(operations, results, strict=True) if r.status == CONFLICT
        ]
        # Real-time reads: they see the creates of this very request.
        stored = self.cluster.mget(self.names.matches, recorded, source=["emitted", "match"])
        todo: list[Match] = []
        for match, op, result in zip(matches, operations, results, strict=True):
            if result.status != CONFLICT:
                todo.append(match)
            elif not stored[op.doc_id]["_source"]["emitted"]:
                todo.append(match_from(stored[op.doc_id]["_source"]))  # as first recorded
        return todo

    def mark_emitted(self, keys: Iterable[tuple[str, str, int | None]]) -> None:
        self.cluster.live()
        self.cluster.bulk(
            [
                Operation(
                    "update",
                    self.names.matches,
                    match_id(*key),
                    {"doc": {"emitted": True}},
                    retry_on_conflict=UPDATE_RETRIES,
                    # A key never recorded has nothing to mark (the in-memory fake would
                    # remember it; callers only mark what record_matches returned).
                    outcomes=frozenset({NOT_FOUND}),
                )
                for key in keys
            ]
        )

    def matches_for_radar(
        self, radar_id: str, since: dt.datetime | None = None, limit: int = 100
    ) -> list[Match]:
        clauses: list[dict[str, Any]] = [{"term": {"radar_id": radar_id}}]
        if since is not None:
            clauses.append({"range": {"matched_at": {"gte": since.isoformat()}}})
        body = {
            "query": filtered(*clauses),
            "sort": [{"score": "desc"}, {"paper_id": "asc"}, {"version_rank": "asc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["match"],
        }
        hits = self.cluster.search(self.names.matches, body)["hits"]["hits"]
        return [match_from(h["_source"]) for h in hits]

    def matched_versions(self, radar_id: str, paper_id: str) -> set[int | None]:
        hits = self.cluster.scan(
            self.names.matches,
            filtered({"term": {"radar_id": radar_id}}, {"term": {"paper_id": paper_id}}),
            [{"version_rank": "asc"}],
            ["version_rank"],
        )
        return {version_of(int(h["_source"]["version_rank"])) for h in hits}

    # --- briefings ----------------------------------------------------------------
    def enqueue_for_briefing(self, match: Match) -> bool:
        es = self.cluster.live()
        # Numbered before the create: a refused create leaves a gap, which only orders.
        (seq,) = self.cluster.allocate(_items_counter(match.radar_id), 1)
        item = PendingItem(match.paper_id, match.version, match.score, match.matched_at)
        try:
            self.cluster.call(
                es.create,
                index=self.names.briefing_items,
                id=match_id(*match.key),
                document=item_document(match.radar_id, item, PENDING, seq),
                refresh=self.cluster.refresh,
            )
        except ConflictError:  # already queued, or already briefed
            return False
        return True

    def open_windows(self) -> list[OpenWindow]:
        self._finish_interrupted_closes()
        queues: dict[str, list[PendingItem]] = {}
        for hit in self.cluster.scan(
            self.names.briefing_items,
            filtered({"term": {"state": PENDING}}),
            [{"radar_id": "asc"}, {"seq": "asc"}],
            ["radar_id", "paper_id", "version_rank", "score", "enqueued_at"],
        ):
            source = hit["_source"]
            queues.setdefault(str(source["radar_id"]), []).append(pending_item_from(source))
        if not queues:
            return []
        briefed = self._briefing_counts(sorted(queues))
        return [
            # A window opens with its oldest pending item.
            OpenWindow(radar_id, 1 + briefed.get(radar_id, 0), items[0].enqueued_at, tuple(items))
            for radar_id, items in sorted(queues.items())
        ]

    def close_window(self, briefing: Briefing, items: Sequence[PendingItem]) -> bool:
        es = self.cluster.live()
        # Numbered before the create, like window items: a refused create leaves a gap.
        (seq,) = self.cluster.allocate(_BRIEFINGS_COUNTER, 1)
        document = briefing_document(briefing, items, seq)
        try:
            self.cluster.call(
                es.create,
                index=self.names.briefings,
                id=briefing.id,
                document=document,
                refresh=self.cluster.refresh,
            )
        except ConflictError:
            # This window is already written. If a crash interrupted its close, finish it
            # (its own recorded items, not the ones given now); otherwise nothing changes.
            self._finish_close(briefing.id)
            return False
        self._apply_close(briefing.id, briefing.radar_id, document["items"])
        return True

    def get_briefing(self, briefing_id: str) -> Briefing | None:
        stored = self.cluster.get(self.names.briefings, briefing_id, ["briefing"])
        return None if stored is None else briefing_from(stored["_source"])

    def briefings_for_radar(self, radar_id: str, limit: int = 50) -> list[Briefing]:
        body = {
            "query": filtered({"term": {"radar_id": radar_id}}),
            "sort": [{"window": "desc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["briefing"],
        }
        hits = self.cluster.search(self.names.briefings, body)["hits"]["hits"]
        return [briefing_from(h["_source"]) for h in hits]

    def _finish_close(self, briefing_id: str) -> None:
        stored = self.cluster.get(
            self.names.briefings, briefing_id, ["radar_id", "applied", "items"]
        )
        if stored is not None and not stored["_source"]["applied"]:
            source = stored["_source"]
            self._apply_close(briefing_id, str(source["radar_id"]), source["items"])

    def _finish_interrupted_closes(self) -> None:
        # Listed in full first: applying a close changes what the filter matches.
        for hit in list(
            self.cluster.scan(
                self.names.briefings,
                filtered({"term": {"applied": False}}),
                [{"briefing_id": "asc"}],
                ["radar_id", "items"],
            )
        ):
            self._apply_close(
                str(hit["_id"]), str(hit["_source"]["radar_id"]), hit["_source"]["items"]
            )

    def _apply_close(
        self, briefing_id: str, radar_id: str, items: Sequence[Mapping[str, Any]]
    ) -> None:
        """Mark the briefing's items briefed (creating any never enqueued, so they cannot be
        enqueued later either), then flag the briefing applied; both steps idempotent."""
        es = self.cluster.live()
        self.cluster.bulk(
            [
                Operation(
                    "update",
                    self.names.briefing_items,
                    match_id(
                        radar_id, str(item["paper_id"]), version_of(int(item["version_rank"]))
                    ),
                    {
                        "doc": {"state": BRIEFED, "briefing_id": briefing_id},
                        "upsert": {**item, "briefing_id": briefing_id},
                    },
                    retry_on_conflict=UPDATE_RETRIES,
                )
                for item in items
            ]
        )
        self.cluster.call(
            es.update,
            index=self.names.briefings,
            id=briefing_id,
            doc={"applied": True},
            refresh=self.cluster.refresh,
        )
        # Read-your-writes for the briefer: its next open_windows must not offer these
        # items again, and must count this briefing in the window number.
        self.cluster.make_visible(self.names.briefing_items, self.names.briefings)

    def _briefing_counts(self, radar_ids: list[str]) -> dict[str, int]:
        body = {
            "query": filtered({"terms": {"radar_id": radar_ids}}),
            "aggs": {"briefings": {"terms": {"field": "radar_id", "size": len(radar_ids)}}},
            "track_total_hits": False,
            "size": 0,
        }
        buckets = self.cluster.search(self.names.briefings, body)["aggregations"]["briefings"][
            "buckets"
        ]
        return {str(b["key"]): int(b["doc_count"]) for b in buckets}

    # --- ingest state -------------------------------------------------------------
    def unpublished(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        # Sorted: a set's order changes from run to run, the requests should not.
        wanted = sorted(set(keys), key=lambda k: (k[0], version_rank(k[1])))
        found = self.cluster.mget(
            self.names.published, [version_id(*k) for k in wanted], source=False
        )
        return {k for k in wanted if version_id(*k) not in found}

    def mark_published(self, keys: Iterable[tuple[str, int | None]]) -> None:
        self.cluster.live()
        self.cluster.bulk(
            [
                Operation(
                    "index",
                    self.names.published,
                    version_id(paper_id, version),
                    {"paper_id": paper_id, "version_rank": version_rank(version)},
                )
                for paper_id, version in keys
            ]
        )

    # --- preprint links (preprint_links.py) ----------------------------------------
    def remember_preprints(self, papers: Sequence[Paper]) -> None:
        self._preprints.remember_preprints(papers)

    def preprints_for_dois(self, dois: Iterable[str]) -> dict[str, Paper]:
        return self._preprints.preprints_for_dois(dois)

    def get_cursor(self, source: str) -> dict[str, str] | None:
        stored = self.cluster.get(self.names.cursors, source, ["cursor"])
        if stored is None:
            return None
        return {str(k): str(v) for k, v in stored["_source"]["cursor"].items()}

    def set_cursor(self, source: str, cursor: dict[str, str]) -> None:
        self.cluster.put(self.names.cursors, source, {"source": source, "cursor": dict(cursor)})

    # --- lifecycle ----------------------------------------------------------------
    def ping(self) -> None:
        """Raise unless the cluster answers and holds the papers alias and every index."""
        es = self.cluster.live()
        if not self.cluster.call(es.indices.exists_alias, name=self.names.papers):
            raise IndexMissing(self.names.papers)
        others = [spec.name for spec in index_specs(self.names) if not spec.aliases]
        if not self.cluster.call(es.indices.exists, index=others):
            raise IndexMissing(*others)

    def close(self) -> None:
        """Stop using the store; the client is closed too if the store owns it."""
        self.cluster.close()


def _batches(papers: Sequence[Paper], size: int) -> Iterator[Sequence[Paper]]:
    """Consecutive runs of at most ``size`` papers with no paper id twice.

    Bulk items are applied independently, so two versions of one paper must go in
    successive requests for the later one to be judged against the earlier.
    """
    start, ids = 0, set[str]()
    for i, paper in enumerate(papers):
        if paper.id in ids or len(ids) == size:
            yield papers[start:i]
            start, ids = i, set()
        ids.add(paper.id)
    if start < len(papers):
        yield papers[start:]


def _stored_rank(stored: Mapping[str, tuple[int, int]], paper_id: str) -> int:
    """The stored version rank of a paper; -1, below every rank, if none is stored."""
    return stored[paper_id][0] if paper_id in stored else -1


def _paper_outcome(
    paper: Paper, history: ItemResult, current: ItemResult, stored_rank: int
) -> PaperWrite:
    if current.status != CONFLICT:
        return PaperWrite.NEW if current.result == "created" else PaperWrite.NEW_VERSION
    # Refused: a same-or-newer version is stored. Seen before (in the history, or stored
    # as the current version after a crash between the two writes) means a replay.
    if history.status == CONFLICT or stored_rank == version_rank(paper.version):
        return PaperWrite.UNCHANGED
    return PaperWrite.STALE


if TYPE_CHECKING:
    # mypy checks here that the adapter implements the whole port and the briefer's state.
    from academichub.store.port import (
        BriefingDeliveryStore,
        IngestStore,
        SummaryStore,
        TokenUsageStore,
    )

    def _implements_the_port(store: ElasticsearchStore) -> Store:
        return store

    def _holds_the_briefer_and_ingestor_state(
        store: ElasticsearchStore,
    ) -> tuple[SummaryStore, BriefingDeliveryStore, TokenUsageStore, IngestStore]:
        return store, store, store, store
