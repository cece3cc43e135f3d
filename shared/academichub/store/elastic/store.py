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
  tombstone one revision higher, so a replayed older upsert is refused for ever.
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
* **Ingest state**: published (id, version) keys and per-source cursors, written by id.

Reads by id (``get``/``mget``) are real-time. Searches (``search``, ``latest_papers``,
``count_papers``, listings and ``matched_versions``) are near-real-time: they see a write
after the next index refresh (1 s by default), unless the store was built with
``refresh=True`` (every write then refreshes; for tests and small installations).
``close_window`` always makes its effects visible before returning, so the briefer's next
``open_windows`` never offers items it just briefed.

Deep paging is bounded by ``index.max_result_window`` (offset + limit <= 10000 by default);
the listings that return everything page with ``search_after`` instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, ParamSpec, TypeVar

from elastic_transport import ObjectApiResponse
from elasticsearch import ConflictError, Elasticsearch, NotFoundError

from academichub.contracts import Briefing, Match, Paper, Radar
from academichub.radar.ast import Node
from academichub.store.elastic import mappings as f
from academichub.store.elastic.backoff import Backoff
from academichub.store.elastic.bulk import (
    CONFLICT,
    NOT_FOUND,
    ItemResult,
    Operation,
    Refresh,
    bulk_write,
)
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
from academichub.store.elastic.mappings import IndexNames, index_specs
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

T = TypeVar("T")
P = ParamSpec("P")

# The transport retries these at once; 429 is left to our backoff (see backoff.py).
_TRANSPORT_RETRY_STATUSES: Final = (502, 503, 504)
# Concurrent updates of one counter or item re-read and retry inside Elasticsearch.
_UPDATE_RETRIES: Final = 10
# Radar deletes racing with newer revisions: look again this many times before giving up.
_DELETE_ATTEMPTS: Final = 5
_CONFLICT_ONLY: Final = frozenset({CONFLICT})
_PAPERS_COUNTER: Final = "papers"


def _items_counter(radar_id: str) -> str:
    # One counter per radar: a radar's matches are enqueued by one briefer, so no hot spot.
    # Radar ids hold no '.', so these never collide with other counters.
    return f"briefing-items.{radar_id}"


class ElasticsearchStore:
    """The Elasticsearch :class:`~academichub.store.port.Store`.

    ``client`` is a synchronous :class:`elasticsearch.Elasticsearch`; the caller builds and
    closes it (``close()`` here only stops this store). Run
    :func:`~academichub.store.elastic.mappings.ensure_indices` with the same ``prefix`` once
    before use. ``batch_size`` bounds the documents of one bulk or mget request,
    ``page_size`` the hits of one page of a listing.
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
    ) -> None:
        if batch_size < 2 or page_size < 1:
            raise ValueError(
                f"batch_size must be at least 2 and page_size at least 1, "
                f"got {batch_size} and {page_size}"
            )
        self.names = IndexNames(prefix)
        # 429 is ours to handle with a pause (the transport would retry it at once, with no
        # pause); connection errors and 502/503/504 keep the transport's own retries.
        self._es = client.options(retry_on_status=_TRANSPORT_RETRY_STATUSES)
        # For single-document reads a 404 is an answer ("not found"), not an error.
        self._es_404 = self._es.options(ignore_status=NOT_FOUND)
        self._refresh: Refresh = "true" if refresh else None
        self._batch_size = batch_size
        self._page_size = page_size
        self._backoff = backoff or Backoff()
        self._closed = False

    # --- papers -------------------------------------------------------------------
    def upsert_papers(self, papers: Sequence[Paper]) -> list[PaperWrite]:
        self._live()
        outcomes: list[PaperWrite] = []
        # Two operations per paper (history and current) in one bulk request.
        for batch in _batches(papers, self._batch_size // 2):
            outcomes.extend(self._upsert_batch(batch))
        return outcomes

    def _upsert_batch(self, papers: Sequence[Paper]) -> list[PaperWrite]:
        stored = self._stored_versions([p.id for p in papers])
        fresh = [p.id for p in papers if p.id not in stored]
        seqs = dict(zip(fresh, self._allocate(_PAPERS_COUNTER, len(fresh)), strict=True))
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
        results = self._bulk(operations)
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
        return [
            _paper_outcome(p, h, c, _stored_rank(stored, p.id))
            for p, h, c in zip(papers, history, current, strict=True)
        ]

    def _stored_versions(self, paper_ids: list[str]) -> dict[str, tuple[int, int]]:
        """paper id -> (stored version rank, arrival seq) of the papers already stored."""
        docs = self._mget(self.names.papers, paper_ids, source=[f.SEQ])
        return {i: (int(d["_version"]), int(d["_source"][f.SEQ])) for i, d in docs.items()}

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.get_papers([paper_id]).get(paper_id)

    def get_papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        wanted = list(dict.fromkeys(paper_ids))
        docs = self._mget(self.names.papers, wanted, source=[f.PAPER])
        return {i: paper_from(docs[i]["_source"]) for i in wanted if i in docs}

    def paper_versions(self, paper_id: str) -> list[int | None]:
        hits = self._scan(
            self.names.paper_versions,
            _filtered({"term": {"paper_id": paper_id}}),
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
        hits = self._search(self.names.papers, body)["hits"]["hits"]
        return [paper_from(h["_source"]) for h in hits]

    def count_papers(self) -> int:
        es = self._live()
        response = self._call(es.count, index=self.names.papers)
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
        found = self._search(self.names.papers, body)["hits"]
        hits = tuple(
            # _score is null when sorting by date without a query: nothing was scored.
            SearchHit(paper_from(h["_source"]), float(h.get("_score") or 0.0))
            for h in found["hits"]
        )
        return SearchPage(total=int(found["total"]["value"]), hits=hits)

    # --- radars -------------------------------------------------------------------
    def put_radar(self, radar: Radar) -> bool:
        es = self._live()
        try:
            self._call(
                es.index,
                index=self.names.radars,
                id=radar.id,
                document=radar_document(radar),
                version=radar.revision,
                version_type="external",
                refresh=self._refresh,
            )
        except ConflictError:  # a same-or-newer revision, or a later delete, is stored
            return False
        return True

    def delete_radar(self, radar_id: str) -> bool:
        es = self._live()
        for _ in range(_DELETE_ATTEMPTS):
            stored = self._get(self.names.radars, radar_id, ["deleted"])
            if stored is None or stored["_source"]["deleted"]:
                return False
            tombstone_version = int(stored["_version"]) + 1
            try:
                self._call(
                    es.index,
                    index=self.names.radars,
                    id=radar_id,
                    document=tombstone_document(radar_id),
                    version=tombstone_version,
                    version_type="external",
                    refresh=self._refresh,
                )
            except ConflictError:  # a newer revision landed since the read: look again
                continue
            return True
        raise ElasticsearchStoreError(
            f"radar {radar_id!r} kept changing while being deleted ({_DELETE_ATTEMPTS} tries)"
        )

    def get_radar(self, radar_id: str) -> Radar | None:
        stored = self._get(self.names.radars, radar_id, ["deleted", "radar"])
        if stored is None or stored["_source"]["deleted"]:
            return None
        return radar_from(stored["_source"])

    def list_radars(self, owner: str | None = None) -> list[Radar]:
        clauses: list[dict[str, Any]] = [{"term": {"deleted": False}}]
        if owner is not None:
            clauses.append({"term": {"owner": owner}})
        hits = self._scan(
            self.names.radars,
            _filtered(*clauses),
            [{"created_at": "asc"}, {"radar_id": "asc"}],
            ["radar"],
        )
        return [radar_from(h["_source"]) for h in hits]

    # --- matches ------------------------------------------------------------------
    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        self._live()
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
        results = self._bulk(operations)
        recorded = [
            op.doc_id for op, r in zip(operations, results, strict=True) if r.status == CONFLICT
        ]
        # Real-time reads: they see the creates of this very request.
        stored = self._mget(self.names.matches, recorded, source=["emitted", "match"])
        todo: list[Match] = []
        for match, op, result in zip(matches, operations, results, strict=True):
            if result.status != CONFLICT:
                todo.append(match)
            elif not stored[op.doc_id]["_source"]["emitted"]:
                todo.append(match_from(stored[op.doc_id]["_source"]))  # as first recorded
        return todo

    def mark_emitted(self, keys: Iterable[tuple[str, str, int | None]]) -> None:
        self._live()
        self._bulk(
            [
                Operation(
                    "update",
                    self.names.matches,
                    match_id(*key),
                    {"doc": {"emitted": True}},
                    retry_on_conflict=_UPDATE_RETRIES,
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
            "query": _filtered(*clauses),
            "sort": [{"score": "desc"}, {"paper_id": "asc"}, {"version_rank": "asc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["match"],
        }
        hits = self._search(self.names.matches, body)["hits"]["hits"]
        return [match_from(h["_source"]) for h in hits]

    def matched_versions(self, radar_id: str, paper_id: str) -> set[int | None]:
        hits = self._scan(
            self.names.matches,
            _filtered({"term": {"radar_id": radar_id}}, {"term": {"paper_id": paper_id}}),
            [{"version_rank": "asc"}],
            ["version_rank"],
        )
        return {version_of(int(h["_source"]["version_rank"])) for h in hits}

    # --- briefings ----------------------------------------------------------------
    def enqueue_for_briefing(self, match: Match) -> bool:
        es = self._live()
        # Numbered before the create: a refused create leaves a gap, which only orders.
        (seq,) = self._allocate(_items_counter(match.radar_id), 1)
        item = PendingItem(match.paper_id, match.version, match.score, match.matched_at)
        try:
            self._call(
                es.create,
                index=self.names.briefing_items,
                id=match_id(*match.key),
                document=item_document(match.radar_id, item, PENDING, seq),
                refresh=self._refresh,
            )
        except ConflictError:  # already queued, or already briefed
            return False
        return True

    def open_windows(self) -> list[OpenWindow]:
        self._finish_interrupted_closes()
        queues: dict[str, list[PendingItem]] = {}
        for hit in self._scan(
            self.names.briefing_items,
            _filtered({"term": {"state": PENDING}}),
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
        es = self._live()
        document = briefing_document(briefing, items)
        try:
            self._call(
                es.create,
                index=self.names.briefings,
                id=briefing.id,
                document=document,
                refresh=self._refresh,
            )
        except ConflictError:
            # This window is already written. If a crash interrupted its close, finish it
            # (its own recorded items, not the ones given now); otherwise nothing changes.
            self._finish_close(briefing.id)
            return False
        self._apply_close(briefing.id, briefing.radar_id, document["items"])
        return True

    def get_briefing(self, briefing_id: str) -> Briefing | None:
        stored = self._get(self.names.briefings, briefing_id, ["briefing"])
        return None if stored is None else briefing_from(stored["_source"])

    def briefings_for_radar(self, radar_id: str, limit: int = 50) -> list[Briefing]:
        body = {
            "query": _filtered({"term": {"radar_id": radar_id}}),
            "sort": [{"window": "desc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["briefing"],
        }
        hits = self._search(self.names.briefings, body)["hits"]["hits"]
        return [briefing_from(h["_source"]) for h in hits]

    def _finish_close(self, briefing_id: str) -> None:
        stored = self._get(self.names.briefings, briefing_id, ["radar_id", "applied", "items"])
        if stored is not None and not stored["_source"]["applied"]:
            source = stored["_source"]
            self._apply_close(briefing_id, str(source["radar_id"]), source["items"])

    def _finish_interrupted_closes(self) -> None:
        # Listed in full first: applying a close changes what the filter matches.
        for hit in list(
            self._scan(
                self.names.briefings,
                _filtered({"term": {"applied": False}}),
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
        es = self._live()
        self._bulk(
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
                    retry_on_conflict=_UPDATE_RETRIES,
                )
                for item in items
            ]
        )
        self._call(
            es.update,
            index=self.names.briefings,
            id=briefing_id,
            doc={"applied": True},
            refresh=self._refresh,
        )
        if self._refresh is None:
            # Read-your-writes for the briefer: its next open_windows must not offer these
            # items again, and must count this briefing in the window number.
            self._call(es.indices.refresh, index=[self.names.briefing_items, self.names.briefings])

    def _briefing_counts(self, radar_ids: list[str]) -> dict[str, int]:
        body = {
            "query": _filtered({"terms": {"radar_id": radar_ids}}),
            "aggs": {"briefings": {"terms": {"field": "radar_id", "size": len(radar_ids)}}},
            "track_total_hits": False,
            "size": 0,
        }
        buckets = self._search(self.names.briefings, body)["aggregations"]["briefings"]["buckets"]
        return {str(b["key"]): int(b["doc_count"]) for b in buckets}

    # --- ingest state -------------------------------------------------------------
    def unpublished(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        # Sorted: a set's order changes from run to run, the requests should not.
        wanted = sorted(set(keys), key=lambda k: (k[0], version_rank(k[1])))
        found = self._mget(self.names.published, [version_id(*k) for k in wanted], source=False)
        return {k for k in wanted if version_id(*k) not in found}

    def mark_published(self, keys: Iterable[tuple[str, int | None]]) -> None:
        self._live()
        self._bulk(
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

    def get_cursor(self, source: str) -> dict[str, str] | None:
        stored = self._get(self.names.cursors, source, ["cursor"])
        if stored is None:
            return None
        return {str(k): str(v) for k, v in stored["_source"]["cursor"].items()}

    def set_cursor(self, source: str, cursor: dict[str, str]) -> None:
        es = self._live()
        self._call(
            es.index,
            index=self.names.cursors,
            id=source,
            document={"source": source, "cursor": dict(cursor)},
            refresh=self._refresh,
        )

    # --- lifecycle ----------------------------------------------------------------
    def ping(self) -> None:
        """Raise unless the cluster answers and holds the papers alias and every index."""
        es = self._live()
        if not self._call(es.indices.exists_alias, name=self.names.papers):
            raise IndexMissing(self.names.papers)
        others = [spec.name for spec in index_specs(self.names) if not spec.aliases]
        if not self._call(es.indices.exists, index=others):
            raise IndexMissing(*others)

    def close(self) -> None:
        """Stop using the store; the client stays open for whoever built it."""
        self._closed = True

    # --- requests -----------------------------------------------------------------
    def _live(self) -> Elasticsearch:
        if self._closed:
            raise ElasticsearchStoreError("the Elasticsearch store is closed")
        return self._es

    def _call(self, request: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``request(*args, **kwargs)``, retried with backoff while Elasticsearch says 429."""
        try:
            return self._backoff.call(lambda: request(*args, **kwargs), "Elasticsearch request")
        except NotFoundError as exc:
            error = exc.body.get("error") if isinstance(exc.body, dict) else None
            if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
                raise IndexMissing(str(error.get("index", "?"))) from exc
            raise

    def _bulk(self, operations: Sequence[Operation]) -> list[ItemResult]:
        if not operations:
            return []
        return bulk_write(
            self._live(),
            operations,
            batch_size=self._batch_size,
            backoff=self._backoff,
            refresh=self._refresh,
        )

    def _allocate(self, counter: str, count: int) -> range:
        """``count`` fresh numbers of a named counter, larger than any handed out before.

        One scripted update of the counter document: Elasticsearch applies updates of one
        document one at a time (``retry_on_conflict`` re-runs a racing update), so two
        processes never get the same numbers.
        """
        if count == 0:
            return range(0)
        es = self._live()
        response = self._call(
            es.update,
            index=self.names.sequences,
            id=counter,
            script={
                "source": "ctx._source.value += params.count",
                "lang": "painless",
                "params": {"count": count},
            },
            upsert={"value": count},
            retry_on_conflict=_UPDATE_RETRIES,
            source=True,
        )
        high = int(response.body["get"]["_source"]["value"])
        return range(high - count + 1, high + 1)

    def _get(self, index: str, doc_id: str, source: list[str]) -> Mapping[str, Any] | None:
        """One document by id (real-time), or None if it does not exist."""
        self._live()
        response: ObjectApiResponse[Any] = self._call(
            self._es_404.get, index=index, id=doc_id, source_includes=source
        )
        body = response.body
        if body.get("found"):
            return dict(body)
        if "found" in body:
            return None
        raise _missing_or_failed(index, body)

    def _mget(
        self, index: str, doc_ids: Sequence[str], *, source: list[str] | bool
    ) -> dict[str, Mapping[str, Any]]:
        """The documents among ``doc_ids`` that exist (real-time), by id."""
        es = self._live()
        found: dict[str, Mapping[str, Any]] = {}
        for start in range(0, len(doc_ids), self._batch_size):
            chunk = list(doc_ids[start : start + self._batch_size])
            if isinstance(source, bool):
                response = self._call(es.mget, index=index, ids=chunk, source=source)
            else:
                response = self._call(es.mget, index=index, ids=chunk, source_includes=source)
            for doc in response.body["docs"]:
                if "error" in doc:
                    raise _missing_or_failed(index, doc)
                if doc.get("found"):
                    found[str(doc["_id"])] = doc
        return found

    def _search(self, index: str, body: dict[str, Any]) -> Any:
        es = self._live()
        return self._call(es.search, index=index, body=body).body

    def _scan(
        self, index: str, query: dict[str, Any], sort: list[dict[str, Any]], source: list[str]
    ) -> Iterator[Mapping[str, Any]]:
        """Every hit of ``query`` in ``sort`` order, a page at a time with ``search_after``.

        ``sort`` must be unique per document (it is the paging cursor). Pages are read
        without a point in time: a document written meanwhile may or may not appear.
        """
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "query": query,
                "sort": sort,
                "track_total_hits": False,
                "size": self._page_size,
                "_source": source,
            }
            if after is not None:
                body["search_after"] = after
            hits = self._search(index, body)["hits"]["hits"]
            yield from hits
            if len(hits) < self._page_size:
                return
            after = list(hits[-1]["sort"])


def _filtered(*clauses: dict[str, Any]) -> dict[str, Any]:
    """A query of unscored filters only (listings sort by fields, never by score)."""
    return {"bool": {"filter": list(clauses)}}


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


def _missing_or_failed(index: str, body: Mapping[str, Any]) -> ElasticsearchStoreError:
    error = body.get("error") or {}
    kind = error.get("type") if isinstance(error, Mapping) else str(error)
    if kind == "index_not_found_exception":
        return IndexMissing(index)
    return ElasticsearchStoreError(f"reading {index}: {kind}: {error}")


if TYPE_CHECKING:
    # mypy checks here that the adapter implements the whole port.
    def _implements_the_port(store: ElasticsearchStore) -> Store:
        return store
