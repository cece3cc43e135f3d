"""Radars in Elasticsearch (:class:`~academichub.store.port.RadarStore`).

Radars are written with their revision as external version; a delete writes a tombstone one
revision higher, so a replayed older upsert is refused for ever. Both wait until a refresh
made them searchable (``refresh=wait_for``): the gateway lists a user's radars right after
saving one, and radar changes are rare.

**The outbox** is the document itself: every radar document and tombstone is written with
``announced: false``, so a change and its announcement are one write. ``mark_announced``
writes the same document again with ``announced: true`` at the *same* external version
(``external_gte``), which leaves the version -- the revision -- as it was, and is refused
if a newer revision landed meanwhile (which then stays unannounced, as it should).
``unannounced_changes`` searches the flag, then reads the documents by id (real-time, with
their versions: a tombstone's version is its delete's revision).

**Idempotency keys** are documents of their own (``radar-requests``), keyed by a digest of
(user, key): the key is written first (``create``), then the radar; a crash in between
leaves a key whose radar is written by the retry that finds it. Expired keys are deleted
when the next radar is made under a key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Final

from elasticsearch import ConflictError

from academichub.contracts import Radar, RadarChange
from academichub.store.elastic.cluster import Cluster, filtered
from academichub.store.elastic.documents import (
    instant,
    instant_from,
    radar_document,
    radar_from,
    tombstone_document,
)
from academichub.store.elastic.errors import ElasticsearchStoreError
from academichub.store.port import KeyedRadar, RequestKey

# Radar deletes racing with newer revisions: look again this many times before giving up.
_DELETE_ATTEMPTS: Final = 5
# A key claimed by a racing request: look again this many times.
_CLAIM_ATTEMPTS: Final = 5


def request_id(request: RequestKey) -> str:
    """The document id of an idempotency key: a digest (keys are the client's text)."""
    return hashlib.sha256(f"{request.scope}\0{request.key}".encode()).hexdigest()


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

    def put_radar_once(
        self, radar: Radar, request: RequestKey, now: dt.datetime
    ) -> KeyedRadar | None:
        es = self._cluster.live()
        index, doc_id = self._names.radar_requests, request_id(request)
        # Expired keys are forgotten here: radars are made rarely, keys never read again.
        self._cluster.delete_matching(
            index, filtered({"range": {"expires_at": {"lte": instant(now)}}})
        )
        for _ in range(_CLAIM_ATTEMPTS):
            held = self._cluster.get(index, doc_id, True)
            if held is not None and instant_from(held["_source"]["expires_at"]) > now:
                made = radar_from(held["_source"])
                # A crash between the key and the radar: the radar is written now (a
                # radar stored, deleted or changed since refuses this first revision).
                self.put_radar(made)
                same = held["_source"]["fingerprint"] == request.fingerprint
                return KeyedRadar(made, created=False, same_request=same)
            if self._cluster.get(self._names.radars, radar.id, False) is not None:
                return None
            document = {
                "scope": request.scope,
                "fingerprint": request.fingerprint,
                "expires_at": instant(request.expires_at),
                "radar": radar.model_dump(mode="json"),
            }
            # A new key is created; an expired one is replaced only if nobody did since.
            claim: dict[str, Any] = (
                {"op_type": "create"}
                if held is None
                else {"if_seq_no": held["_seq_no"], "if_primary_term": held["_primary_term"]}
            )
            try:
                self._cluster.call(es.index, index=index, id=doc_id, document=document, **claim)
            except ConflictError:  # a racing request with the same key: look again
                continue
            self.put_radar(radar)
            return KeyedRadar(radar, created=True)
        raise ElasticsearchStoreError(
            f"idempotency key {request.key!r} kept changing ({_CLAIM_ATTEMPTS} tries)"
        )

    def unannounced_changes(self, limit: int = 100) -> list[RadarChange]:
        self._cluster.make_visible(self._names.radars)
        body = {
            "query": filtered({"term": {"announced": False}}),
            "sort": [{"radar_id": "asc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": False,
        }
        hits = self._cluster.search(self._names.radars, body)["hits"]["hits"]
        # Read again by id: real-time, and with the version (a tombstone's revision).
        docs = self._cluster.mget(
            self._names.radars, [str(h["_id"]) for h in hits], source=["deleted", "radar"]
        )
        changes = []
        for doc_id, doc in docs.items():
            revision = int(doc["_version"])
            if doc["_source"]["deleted"]:
                changes.append(RadarChange(kind="delete", radar_id=doc_id, revision=revision))
            else:
                radar = radar_from(doc["_source"])
                changes.append(
                    RadarChange(kind="upsert", radar_id=doc_id, revision=revision, radar=radar)
                )
        return changes

    def mark_announced(self, radar_id: str, revision: int) -> None:
        es = self._cluster.live()
        stored = self._cluster.get(self._names.radars, radar_id, True)
        if stored is None or int(stored["_version"]) != revision:
            return  # nothing stored, or a newer change that is still to be announced
        if stored["_source"].get("announced", True):
            return
        try:
            self._cluster.call(
                es.index,
                index=self._names.radars,
                id=radar_id,
                document={**stored["_source"], "announced": True},
                version=revision,
                version_type="external_gte",
                refresh=self._cluster.refresh,
            )
        except ConflictError:  # a newer revision landed since the read: it stays unannounced
            return

    def radar_revisions(self) -> dict[str, int]:
        hits = self._cluster.scan(
            self._names.radars,
            filtered({"term": {"deleted": False}}),
            [{"radar_id": "asc"}],
            ["radar"],
        )
        return {h["_source"]["radar"]["id"]: int(h["_source"]["radar"]["revision"]) for h in hits}
