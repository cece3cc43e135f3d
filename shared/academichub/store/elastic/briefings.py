"""Briefing windows and briefings in Elasticsearch
(:class:`~academichub.store.port.BriefingStore`).

One document per (radar, paper, version) is created on enqueue (pending) and updated to
briefed when its window closes, so "already queued or briefed" is one atomic create.
``close_window`` first creates the briefing (``op_type=create`` on the briefing id: the
commit point, idempotent), then marks its items briefed, then flags the briefing applied. A
crash between those steps is finished by a replayed ``close_window`` or by the next
``open_windows``, which re-applies any briefing not yet flagged applied (the briefing lists
its items). Items are updated, not deleted: keeping the briefed document is what refuses a
later re-enqueue. Each briefing also carries its delivery state (revision, published
revision) and a storing order from a counter; the briefer's other state is in
:mod:`.briefer_state`. ``close_window`` makes its effects visible before returning, so the
briefer's next ``open_windows`` never offers items it just briefed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from elasticsearch import ConflictError

from academichub.contracts import Briefing, Match
from academichub.store.elastic.bulk import Operation
from academichub.store.elastic.cluster import UPDATE_RETRIES, Cluster, filtered
from academichub.store.elastic.documents import (
    BRIEFED,
    PENDING,
    briefing_document,
    briefing_from,
    item_document,
    match_id,
    pending_item_from,
    version_of,
)
from academichub.store.port import OpenWindow, PendingItem

_BRIEFINGS_COUNTER: Final = "briefings"


def _items_counter(radar_id: str) -> str:
    # One counter per radar: a radar's matches are enqueued by one briefer, so no hot spot.
    # Radar ids hold no '.', so these never collide with other counters.
    return f"briefing-items.{radar_id}"


class ElasticsearchBriefings:
    """The briefings and briefing-items indices of ``cluster``."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._names = cluster.names

    def enqueue_for_briefing(self, match: Match) -> bool:
        es = self._cluster.live()
        # Numbered before the create: a refused create leaves a gap, which only orders.
        (seq,) = self._cluster.allocate(_items_counter(match.radar_id), 1)
        item = PendingItem(match.paper_id, match.version, match.score, match.matched_at)
        try:
            self._cluster.call(
                es.create,
                index=self._names.briefing_items,
                id=match_id(*match.key),
                document=item_document(match.radar_id, item, PENDING, seq),
                refresh=self._cluster.refresh,
            )
        except ConflictError:  # already queued, or already briefed
            return False
        return True

    def open_windows(self) -> list[OpenWindow]:
        self._finish_interrupted_closes()
        queues: dict[str, list[PendingItem]] = {}
        for hit in self._cluster.scan(
            self._names.briefing_items,
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
        es = self._cluster.live()
        # Numbered before the create, like window items: a refused create leaves a gap.
        (seq,) = self._cluster.allocate(_BRIEFINGS_COUNTER, 1)
        document = briefing_document(briefing, items, seq)
        try:
            self._cluster.call(
                es.create,
                index=self._names.briefings,
                id=briefing.id,
                document=document,
                refresh=self._cluster.refresh,
            )
        except ConflictError:
            # This window is already written. If a crash interrupted its close, finish it
            # (its own recorded items, not the ones given now); otherwise nothing changes.
            self._finish_close(briefing.id)
            return False
        self._apply_close(briefing.id, briefing.radar_id, document["items"])
        return True

    def get_briefing(self, briefing_id: str) -> Briefing | None:
        stored = self._cluster.get(self._names.briefings, briefing_id, ["briefing"])
        return None if stored is None else briefing_from(stored["_source"])

    def briefings_for_radar(self, radar_id: str, limit: int = 50) -> list[Briefing]:
        body = {
            "query": filtered({"term": {"radar_id": radar_id}}),
            "sort": [{"window": "desc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["briefing"],
        }
        hits = self._cluster.search(self._names.briefings, body)["hits"]["hits"]
        return [briefing_from(h["_source"]) for h in hits]

    def _finish_close(self, briefing_id: str) -> None:
        stored = self._cluster.get(
            self._names.briefings, briefing_id, ["radar_id", "applied", "items"]
        )
        if stored is not None and not stored["_source"]["applied"]:
            source = stored["_source"]
            self._apply_close(briefing_id, str(source["radar_id"]), source["items"])

    def _finish_interrupted_closes(self) -> None:
        # Listed in full first: applying a close changes what the filter matches.
        for hit in list(
            self._cluster.scan(
                self._names.briefings,
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
        es = self._cluster.live()
        self._cluster.bulk(
            [
                Operation(
                    "update",
                    self._names.briefing_items,
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
        self._cluster.call(
            es.update,
            index=self._names.briefings,
            id=briefing_id,
            doc={"applied": True},
            refresh=self._cluster.refresh,
        )
        # Read-your-writes for the briefer: its next open_windows must not offer these
        # items again, and must count this briefing in the window number.
        self._cluster.make_visible(self._names.briefing_items, self._names.briefings)

    def _briefing_counts(self, radar_ids: list[str]) -> dict[str, int]:
        body = {
            "query": filtered({"terms": {"radar_id": radar_ids}}),
            "aggs": {"briefings": {"terms": {"field": "radar_id", "size": len(radar_ids)}}},
            "track_total_hits": False,
            "size": 0,
        }
        buckets = self._cluster.search(self._names.briefings, body)["aggregations"]["briefings"][
            "buckets"
        ]
        return {str(b["key"]): int(b["doc_count"]) for b in buckets}
