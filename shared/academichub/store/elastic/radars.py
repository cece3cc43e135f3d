"""Radars in Elasticsearch (:class:`~academichub.store.port.RadarStore`).

Radars are written with their revision as external version; a delete writes a tombstone one
revision higher, so a replayed older upsert is refused for ever. Both wait until a refresh
made them searchable (``refresh=wait_for``): the gateway lists a user's radars right after
saving one, and radar changes are rare.
"""

from __future__ import annotations

from typing import Any, Final

from elasticsearch import ConflictError

from academichub.contracts import Radar
from academichub.store.elastic.cluster import Cluster, filtered
from academichub.store.elastic.documents import radar_document, radar_from, tombstone_document
from academichub.store.elastic.errors import ElasticsearchStoreError

# Radar deletes racing with newer revisions: look again this many times before giving up.
_DELETE_ATTEMPTS: Final = 5


class ElasticsearchRadars:
    """The radars index of ``cluster``."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._names = cluster.names

    def put_radar(self, radar: Radar) -> bool:
        es = self._cluster.live()
        try:
            self._cluster.call(
                es.index,
                index=self._names.radars,
                id=radar.id,
                document=radar_document(radar),
                version=radar.revision,
                version_type="external",
                refresh=self._cluster.visible,
            )
        except ConflictError:  # a same-or-newer revision, or a later delete, is stored
            return False
        return True

    def delete_radar(self, radar_id: str) -> bool:
        es = self._cluster.live()
        for _ in range(_DELETE_ATTEMPTS):
            stored = self._cluster.get(self._names.radars, radar_id, ["deleted"])
            if stored is None or stored["_source"]["deleted"]:
                return False
            tombstone_version = int(stored["_version"]) + 1
            try:
                self._cluster.call(
                    es.index,
                    index=self._names.radars,
                    id=radar_id,
                    document=tombstone_document(radar_id),
                    version=tombstone_version,
                    version_type="external",
                    refresh=self._cluster.visible,
                )
            except ConflictError:  # a newer revision landed since the read: look again
                continue
            return True
        raise ElasticsearchStoreError(
            f"radar {radar_id!r} kept changing while being deleted ({_DELETE_ATTEMPTS} tries)"
        )

    def get_radar(self, radar_id: str) -> Radar | None:
        stored = self._cluster.get(self._names.radars, radar_id, ["deleted", "radar"])
        if stored is None or stored["_source"]["deleted"]:
            return None
        return radar_from(stored["_source"])

    def list_radars(self, owner: str | None = None) -> list[Radar]:
        clauses: list[dict[str, Any]] = [{"term": {"deleted": False}}]
        if owner is not None:
            clauses.append({"term": {"owner": owner}})
        hits = self._cluster.scan(
            self._names.radars,
            filtered(*clauses),
            [{"created_at": "asc"}, {"radar_id": "asc"}],
            ["radar"],
        )
        return [radar_from(h["_source"]) for h in hits]

    def radar_revisions(self) -> dict[str, int]:
        hits = self._cluster.scan(
            self._names.radars,
            filtered({"term": {"deleted": False}}),
            [{"radar_id": "asc"}],
            ["radar"],
        )
        return {h["_source"]["radar"]["id"]: int(h["_source"]["radar"]["revision"]) for h in hits}
