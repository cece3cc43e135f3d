"""Delivery in Elasticsearch (:class:`~academichub.store.delivery.DeliveryStore`).

* **Settings** are one document per user (digest) and per radar (webhook), read by id.
* **The outbox** lives in the briefing document, beside publication: ``delivered_revision``
  and the flag ``delivered`` (``delivered_revision >= revision``) that the listing filters
  on; ``close_window`` writes them false, an upgrade sets ``delivered`` false again. A
  briefing written before delivery existed has neither field and counts as delivered.
  ``mark_briefing_delivered`` is a conditional read-modify-write, as publication's is.
* **The ledger** is one document per delivery id: a claim is ``op_type=create`` (a 409 is
  the answer "claimed already"); a reclaim is a write conditional on the sequence number
  of the ``retrying`` record it read, so two briefers cannot both take one retry.
* **A digest** is claimed in steps, each idempotent: the record is created with the
  briefing ids it carries and ``carried: false``, the briefings are marked with its id,
  then the record is flagged ``carried``. A crash in between leaves a record whose marks
  the next ``claim_digest`` of that user finishes before choosing anything, so two digests
  never carry one briefing.
* **The latest delivery** of each radar and channel is a document whose id is
  ``<radar>:<channel>``: read by id, in real time.

Listings (the outbox, digest preferences, due retries, stale attempts) are searches; each
refreshes its index first, so it sees every write acknowledged before it, from any
process.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from elasticsearch import ConflictError

from academichub.contracts import Briefing
from academichub.store.delivery import (
    Delivery,
    DigestPreference,
    Webhook,
    carrying,
    next_attempt,
)
from academichub.store.elastic.bulk import Operation
from academichub.store.elastic.cluster import UPDATE_RETRIES, Cluster, filtered
from academichub.store.elastic.documents import briefing_from
from academichub.store.elastic.errors import ElasticsearchStoreError

_KEY_NAME: Final = "unsubscribe"
_WRITE_ATTEMPTS: Final = 10
# A digest chooses among at most this many uncarried briefings of its radars.
_DIGEST_SCAN: Final = 1000


class ElasticsearchDelivery:
    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._names = cluster.names

    # --- settings -------------------------------------------------------------------
    def get_digest_preference(self, user_id: str) -> DigestPreference | None:
        stored = self._cluster.get(self._names.digest_preferences, user_id, ["preference"])
        return None if stored is None else _preference(stored["_source"])

    def put_digest_preference(self, preference: DigestPreference) -> None:
        self._cluster.put(
            self._names.digest_preferences,
            preference.user_id,
            {
                "user_id": preference.user_id,
                "cadence": preference.cadence,
                "preference": preference.model_dump(mode="json"),
            },
        )

    def digest_preferences(self) -> list[DigestPreference]:
        index = self._names.digest_preferences
        self._cluster.make_visible(index)
        return [
            _preference(hit["_source"])
            for hit in self._cluster.scan(
                index,
                filtered({"terms": {"cadence": ["daily", "weekly"]}}),
                [{"user_id": "asc"}],
                ["preference"],
            )
        ]

    def get_webhook(self, radar_id: str) -> Webhook | None:
        stored = self._cluster.get(self._names.webhooks, radar_id, ["webhook"])
        return None if stored is None else Webhook.model_validate(stored["_source"]["webhook"])

    def put_webhook(self, webhook: Webhook) -> None:
        self._cluster.put(
            self._names.webhooks,
            webhook.radar_id,
            {"radar_id": webhook.radar_id, "webhook": webhook.model_dump(mode="json")},
        )

    def delete_webhook(self, radar_id: str) -> bool:
        return self._cluster.delete(self._names.webhooks, radar_id)

    def signing_key(self) -> bytes:
        index = self._names.delivery_keys
        stored = self._cluster.get(index, _KEY_NAME, ["key"])
        if stored is None:
            es = self._cluster.live()
            made = base64.b64encode(secrets.token_bytes(32)).decode()
            # The first writer's key wins; a racing process reads it back.
            with contextlib.suppress(ConflictError):
                self._cluster.call(
                    es.create,
                    index=index,
                    id=_KEY_NAME,
                    document={"name": _KEY_NAME, "key": {"value": made}},
                    refresh=self._cluster.refresh,
                )
            stored = self._cluster.get(index, _KEY_NAME, ["key"])
            if stored is None:
                raise ElasticsearchStoreError("the unsubscribe key vanished as it was made")
        return base64.b64decode(stored["_source"]["key"]["value"])

    # --- the outbox -----------------------------------------------------------------
    def undelivered_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        self._cluster.make_visible(self._names.briefings)
        body = {
            "query": filtered({"term": {"delivered": False}}),
            "sort": [{"seq": "asc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["briefing", "revision"],
        }
        hits = self._cluster.search(self._names.briefings, body)["hits"]["hits"]
        return [(briefing_from(h["_source"]), int(h["_source"]["revision"])) for h in hits]

    def mark_briefing_delivered(self, briefing_id: str, revision: int) -> None:
        for _ in range(_WRITE_ATTEMPTS):
            stored = self._cluster.get(
                self._names.briefings, briefing_id, ["revision", "delivered_revision"]
            )
            if stored is None:
                return
            source = stored["_source"]
            current = int(source.get("revision", 1))
            if int(source.get("delivered_revision", current)) >= revision:
                return  # this revision or a later one is marked already
            doc = {"delivered_revision": revision, "delivered": revision >= current}
            if self._update_if_unchanged(self._names.briefings, briefing_id, stored, doc):
                return
        raise ElasticsearchStoreError(
            f"briefing {briefing_id!r} kept changing while being marked delivered"
        )

    # --- the ledger -------------------------------------------------------------------
    def claim(self, delivery: Delivery) -> bool:
        if not self._create(delivery, carried=True):
            return False
        self._mark_latest(delivery)
        return True

    def claim_digest(
        self, delivery: Delivery, radar_ids: Sequence[str], since: dt.datetime, limit: int
    ) -> Delivery | None:
        if self._cluster.get(self._names.deliveries, delivery.id, False) is not None:
            return None
        if delivery.user_id is not None:
            self._finish_marks(delivery.user_id)
        claimed = carrying(delivery, self._uncarried(radar_ids, since, limit))
        if not self._create(claimed, carried=False):
            return None
        self._carry(claimed)
        self._mark_latest(claimed)
        return claimed

    def get_deliveries(self, delivery_ids: Iterable[str]) -> dict[str, Delivery]:
        wanted = list(dict.fromkeys(delivery_ids))
        docs = self._cluster.mget(self._names.deliveries, wanted, source=["delivery"])
        return {i: _delivery(docs[i]["_source"]) for i in wanted if i in docs}

    def record(self, delivery: Delivery) -> None:
        self._cluster.put(self._names.deliveries, delivery.id, _document(delivery, carried=True))
        self._mark_latest(delivery)

    def reclaim(self, delivery: Delivery, at: dt.datetime) -> Delivery | None:
        stored = self._cluster.get(self._names.deliveries, delivery.id, ["delivery"])
        if stored is None or delivery.state != "retrying":
            return None
        current = _delivery(stored["_source"])
        if (current.state, current.attempts) != ("retrying", delivery.attempts):
            return None
        taken = next_attempt(current, at)
        es = self._cluster.live()
        try:
            self._cluster.call(
                es.index,
                index=self._names.deliveries,
                id=taken.id,
                document=_document(taken, carried=True),
                if_seq_no=int(stored["_seq_no"]),
                if_primary_term=int(stored["_primary_term"]),
                refresh=self._cluster.refresh,
            )
        except ConflictError:
            return None  # another briefer took it first
        self._mark_latest(taken)
        return taken

    def due_retries(self, now: dt.datetime, limit: int = 100) -> list[Delivery]:
        return self._listing(
            {"term": {"state": "retrying"}},
            {"range": {"next_attempt_at": {"lte": now.isoformat()}}},
            sort=[{"next_attempt_at": "asc"}, {"delivery_id": "asc"}],
            limit=limit,
        )

    def stale_deliveries(self, before: dt.datetime, limit: int = 100) -> list[Delivery]:
        return self._listing(
            {"term": {"state": "sending"}},
            {"range": {"updated_at": {"lt": before.isoformat()}}},
            sort=[{"updated_at": "asc"}, {"delivery_id": "asc"}],
            limit=limit,
        )

    def latest_deliveries(self, radar_id: str) -> list[Delivery]:
        ids = [f"{radar_id}:{channel}" for channel in ("email", "webhook")]
        latest = self._cluster.mget(self._names.latest_deliveries, ids, source=["delivery_id"])
        pointed = [str(latest[i]["_source"]["delivery_id"]) for i in ids if i in latest]
        found = self.get_deliveries(pointed)
        return [found[i] for i in pointed if i in found]

    # --- steps --------------------------------------------------------------------------
    def _create(self, delivery: Delivery, *, carried: bool) -> bool:
        es = self._cluster.live()
        try:
            self._cluster.call(
                es.create,
                index=self._names.deliveries,
                id=delivery.id,
                document=_document(delivery, carried=carried),
                # Visible at once: the next pass lists retries and stale attempts by search.
                refresh=self._cluster.refresh,
            )
        except ConflictError:
            return False
        return True

    def _mark_latest(self, delivery: Delivery) -> None:
        self._cluster.bulk(
            [
                Operation(
                    "index",
                    self._names.latest_deliveries,
                    f"{radar_id}:{delivery.channel}",
                    {"radar_id": radar_id, "channel": delivery.channel, "delivery_id": delivery.id},
                )
                for radar_id in delivery.radar_ids
            ]
        )

    def _carry(self, digest: Delivery) -> None:
        """Mark the digest's briefings carried by it, then flag the record carried."""
        self._cluster.bulk(
            [
                Operation(
                    "update",
                    self._names.briefings,
                    briefing_id,
                    {"doc": {"digest_id": digest.id}},
                    retry_on_conflict=UPDATE_RETRIES,
                )
                for briefing_id in digest.briefing_ids
            ],
            refresh=self._cluster.visible,
        )
        es = self._cluster.live()
        self._cluster.call(
            es.update,
            index=self._names.deliveries,
            id=digest.id,
            doc={"carried": True},
            refresh=self._cluster.refresh,
        )

    def _finish_marks(self, user_id: str) -> None:
        """Finish the marks of this user's digests a crash interrupted."""
        index = self._names.deliveries
        self._cluster.make_visible(index)
        for hit in list(
            self._cluster.scan(
                index,
                filtered({"term": {"user_id": user_id}}, {"term": {"carried": False}}),
                [{"delivery_id": "asc"}],
                ["delivery"],
            )
        ):
            self._carry(_delivery(hit["_source"]))

    def _uncarried(
        self, radar_ids: Sequence[str], since: dt.datetime, limit: int
    ) -> list[Briefing]:
        if not radar_ids or limit <= 0:
            return []
        self._cluster.make_visible(self._names.briefings)
        body = {
            "query": {
                "bool": {
                    "filter": [
                        {"terms": {"radar_id": list(dict.fromkeys(radar_ids))}},
                        # Written before delivery existed (no ``delivered``): never carried.
                        {"exists": {"field": "delivered"}},
                    ],
                    "must_not": [{"exists": {"field": "digest_id"}}],
                }
            },
            "sort": [{"seq": "desc"}],
            "track_total_hits": False,
            "size": _DIGEST_SCAN,
            "_source": ["briefing"],
        }
        hits = self._cluster.search(self._names.briefings, body)["hits"]["hits"]
        found = [b for b in (briefing_from(h["_source"]) for h in hits) if b.created_at >= since]
        found.sort(key=lambda b: (b.created_at, b.id), reverse=True)
        return found[:limit]

    def _listing(
        self, *clauses: dict[str, Any], sort: list[dict[str, Any]], limit: int
    ) -> list[Delivery]:
        index = self._names.deliveries
        self._cluster.make_visible(index)
        body = {
            "query": filtered(*clauses),
            "sort": sort,
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["delivery"],
        }
        hits = self._cluster.search(index, body)["hits"]["hits"]
        return [_delivery(h["_source"]) for h in hits]

    def _update_if_unchanged(
        self, index: str, doc_id: str, stored: Mapping[str, Any], doc: dict[str, Any]
    ) -> bool:
        es = self._cluster.live()
        try:
            self._cluster.call(
                es.update,
                index=index,
                id=doc_id,
                doc=doc,
                if_seq_no=int(stored["_seq_no"]),
                if_primary_term=int(stored["_primary_term"]),
                refresh=self._cluster.refresh,
            )
        except ConflictError:
            return False
        return True


def _document(delivery: Delivery, *, carried: bool) -> dict[str, Any]:
    nxt = delivery.next_attempt_at
    return {
        "delivery_id": delivery.id,
        "channel": delivery.channel,
        "state": delivery.state,
        "user_id": delivery.user_id,
        "updated_at": delivery.updated_at.isoformat(),
        "next_attempt_at": None if nxt is None else nxt.isoformat(),
        "carried": carried,
        "delivery": delivery.model_dump(mode="json"),
    }


def _delivery(source: Mapping[str, Any]) -> Delivery:
    return Delivery.model_validate(source["delivery"])


def _preference(source: Mapping[str, Any]) -> DigestPreference:
    return DigestPreference.model_validate(source["preference"])
