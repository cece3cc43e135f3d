"""Matches in Elasticsearch (:class:`~academichub.store.port.MatchStore`).

Matches are created once (``op_type=create``) keyed by radar+paper+version, with an
``emitted`` flag updated after the broker acknowledged them and a ``queued`` flag updated
once the briefer put them into a briefing window: per match (a document per match is
written anyway, and a bulk update per match is what the cluster does well), which the
protocol allows. ``matches_for_radar`` and
``versions_matched`` are searches: they see a match after the next refresh;
``unqueued_matches`` refreshes first, so it sees every match recorded before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final

from academichub.contracts import Match
from academichub.contracts.match_groups import FoundMatches, flatten, regroup
from academichub.store.elastic.bulk import CONFLICT, NOT_FOUND, Operation
from academichub.store.elastic.cluster import UPDATE_RETRIES, Cluster, filtered
from academichub.store.elastic.documents import (
    PENDING,
    instant,
    match_document,
    match_from,
    match_id,
    version_of,
    version_rank,
)
from academichub.store.port import BackfillMark

_CONFLICT_ONLY: Final = frozenset({CONFLICT})
_TERMS_CHUNK: Final = 10_000


class ElasticsearchMatches:
    """The matches index of ``cluster``."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._names = cluster.names

    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        self._cluster.live()
        operations = [
            Operation(
                "create",
                self._names.matches,
                match_id(*m.key),
                match_document(m),
                outcomes=_CONFLICT_ONLY,
            )
            for m in matches
        ]
        results = self._cluster.bulk(operations)
        recorded = [
            op.doc_id for op, r in zip(operations, results, strict=True) if r.status == CONFLICT
        ]
        # Real-time reads: they see the creates of this very request.
        stored = self._cluster.mget(self._names.matches, recorded, source=["emitted", "match"])
        todo: list[Match] = []
        for match, op, result in zip(matches, operations, results, strict=True):
            if result.status != CONFLICT:
                todo.append(match)
            elif not stored[op.doc_id]["_source"]["emitted"]:
                todo.append(match_from(stored[op.doc_id]["_source"]))  # as first recorded
        return todo

    def record_found(self, found: Sequence[FoundMatches]) -> list[FoundMatches]:
        return regroup(self.record_matches(flatten(found)))

    def mark_emitted(self, found: Iterable[FoundMatches]) -> None:
        """Per match: each document carries its own flag (see the module docstring)."""
        self._cluster.live()
        self._cluster.bulk(
            [
                Operation(
                    "update",
                    self._names.matches,
                    match_id(*key),
                    {"doc": {"emitted": True}},
                    retry_on_conflict=UPDATE_RETRIES,
                    # A key never recorded has nothing to mark (the in-memory fake would
                    # remember it; callers only mark what record_matches returned).
                    outcomes=frozenset({NOT_FOUND}),
                )
                for group in found
                for key in group.match_keys()
            ]
        )

    def mark_queued(self, matches: Iterable[Match]) -> None:
        self._cluster.live()
        self._cluster.bulk(
            [
                Operation(
                    "update",
                    self._names.matches,
                    match_id(*key),
                    {"doc": {"queued": True}},
                    retry_on_conflict=UPDATE_RETRIES,
                    outcomes=frozenset({NOT_FOUND}),
                )
                for key in dict.fromkeys(m.key for m in matches)
            ]
        )

    def unqueued_matches(self, recorded_before: dt.datetime, limit: int = 500) -> list[Match]:
        self._cluster.make_visible(self._names.matches)
        body = {
            # "Not queued" includes matches recorded before the flag existed.
            "query": {
                "bool": {
                    "filter": [{"range": {"matched_at": {"lt": instant(recorded_before)}}}],
                    "must_not": [{"term": {"queued": True}}],
                }
            },
            "sort": [
                {"matched_at": "asc"},
                {"radar_id": "asc"},
                {"paper_id": "asc"},
                {"version_rank": "asc"},
            ],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["match"],
        }
        hits = self._cluster.search(self._names.matches, body)["hits"]["hits"]
        return [match_from(h["_source"]) for h in hits]

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
        hits = self._cluster.search(self._names.matches, body)["hits"]["hits"]
        return [match_from(h["_source"]) for h in hits]

    def versions_matched(
        self, paper_id: str, radar_ids: Iterable[str]
    ) -> dict[str, set[int | None]]:
        wanted = sorted(set(radar_ids))
        held: dict[str, set[int | None]] = {}
        # A terms query takes at most 65,536 terms: chunked far below that.
        for start in range(0, len(wanted), _TERMS_CHUNK):
            hits = self._cluster.scan(
                self._names.matches,
                filtered(
                    {"term": {"paper_id": paper_id}},
                    {"terms": {"radar_id": wanted[start : start + _TERMS_CHUNK]}},
                ),
                [{"radar_id": "asc"}, {"version_rank": "asc"}],
                ["radar_id", "version_rank"],
            )
            for hit in hits:
                source = hit["_source"]
                held.setdefault(source["radar_id"], set()).add(
                    version_of(int(source["version_rank"]))
                )
        return held

    def match_keys(self, radar_id: str) -> list[tuple[str, str, int | None]]:
        hits = self._cluster.scan(
            self._names.matches,
            filtered({"term": {"radar_id": radar_id}}),
            [{"paper_id": "asc"}, {"version_rank": "asc"}],
            ["paper_id", "version_rank"],
        )
        return [
            (radar_id, str(h["_source"]["paper_id"]), version_of(int(h["_source"]["version_rank"])))
            for h in hits
        ]

    def retract_matches(self, keys: Iterable[tuple[str, str, int | None]]) -> int:
        gone = 0
        for radar_id, paper_id, version in set(keys):
            where: list[dict[str, Any]] = [
                {"term": {"radar_id": radar_id}},
                {"term": {"paper_id": paper_id}},
                {"term": {"version_rank": version_rank(version)}},
            ]
            gone += self._cluster.delete_matching(self._names.matches, filtered(*where))
            # Out of the open window; a briefed item stays (a written briefing cited it).
            self._cluster.delete_matching(
                self._names.briefing_items, filtered(*where, {"term": {"state": PENDING}})
            )
        return gone

    def backfill_mark(self, radar_id: str) -> BackfillMark | None:
        found = self._cluster.get(self._names.radar_backfills, radar_id, ["mark"])
        return None if found is None else BackfillMark.from_document(found["_source"]["mark"])

    def mark_backfilled(self, mark: BackfillMark) -> None:
        held = self.backfill_mark(mark.radar_id)
        if held is not None and held.revision > mark.revision:
            return
        self._cluster.put(
            self._names.radar_backfills,
            mark.radar_id,
            {"radar_id": mark.radar_id, "revision": mark.revision, "mark": mark.as_document()},
        )

    def forget_backfill(self, radar_id: str) -> None:
        self._cluster.delete(self._names.radar_backfills, radar_id)
