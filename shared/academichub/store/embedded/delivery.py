"""Delivery in the shared SQLite file (:class:`~academichub.store.delivery.DeliveryStore`).

Settings and ledger records are kept as their JSON (``doc``) beside the columns that key,
filter and order them. The outbox and the digest marks are columns of the ``briefings``
table (``delivered_revision``, ``digest_id``), as publication is: a claim of a digest and
the marks on the briefings it carries are one transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from collections.abc import Iterable, Sequence

from academichub.contracts import Briefing
from academichub.store.delivery import (
    Delivery,
    DigestPreference,
    Webhook,
    carrying,
    next_attempt,
)
from academichub.store.embedded.columns import chunks, timestamp
from academichub.store.embedded.database import Database

_KEY_NAME = "unsubscribe"


class EmbeddedDelivery:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- settings -------------------------------------------------------------------
    def get_digest_preference(self, user_id: str) -> DigestPreference | None:
        rows = self._db.read_all("SELECT doc FROM digest_preferences WHERE user_id = ?", (user_id,))
        return DigestPreference.model_validate_json(rows[0][0]) if rows else None

    def put_digest_preference(self, preference: DigestPreference) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO digest_preferences (user_id, cadence, doc) "
                "VALUES (?, ?, ?)",
                (preference.user_id, preference.cadence, preference.model_dump_json()),
            )

    def digest_preferences(self) -> list[DigestPreference]:
        rows = self._db.read_all(
            "SELECT doc FROM digest_preferences WHERE cadence != 'off' ORDER BY user_id"
        )
        return [DigestPreference.model_validate_json(doc) for (doc,) in rows]

    def get_webhook(self, radar_id: str) -> Webhook | None:
        rows = self._db.read_all("SELECT doc FROM webhooks WHERE radar_id = ?", (radar_id,))
        return Webhook.model_validate_json(rows[0][0]) if rows else None

    def put_webhook(self, webhook: Webhook) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO webhooks (radar_id, doc) VALUES (?, ?)",
                (webhook.radar_id, webhook.model_dump_json()),
            )

    def delete_webhook(self, radar_id: str) -> bool:
        with self._db.write() as conn:
            return conn.execute("DELETE FROM webhooks WHERE radar_id = ?", (radar_id,)).rowcount > 0

    def signing_key(self) -> bytes:
        rows = self._db.read_all("SELECT value FROM delivery_keys WHERE name = ?", (_KEY_NAME,))
        if rows:
            return bytes(rows[0][0])
        with self._db.write() as conn:
            # The first writer's key wins; a racing process reads it back.
            conn.execute(
                "INSERT OR IGNORE INTO delivery_keys (name, value) VALUES (?, ?)",
                (_KEY_NAME, secrets.token_bytes(32)),
            )
            row = conn.execute(
                "SELECT value FROM delivery_keys WHERE name = ?", (_KEY_NAME,)
            ).fetchone()
        return bytes(row[0])

    # --- the outbox -----------------------------------------------------------------
    def undelivered_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        rows = self._db.read_all(
            "SELECT doc, revision FROM briefings WHERE delivered_revision < revision "
            "ORDER BY rowid LIMIT ?",
            (max(limit, 0),),
        )
        return [(Briefing.model_validate_json(doc), int(rev)) for doc, rev in rows]

    def mark_briefing_delivered(self, briefing_id: str, revision: int) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE briefings SET delivered_revision = MAX(delivered_revision, ?) WHERE id = ?",
                (revision, briefing_id),
            )

    # --- the ledger -------------------------------------------------------------------
    def claim(self, delivery: Delivery) -> bool:
        with self._db.write() as conn:
            if not _insert(conn, delivery):
                return False
            _mark_latest(conn, delivery)
            return True

    def claim_digest(
        self, delivery: Delivery, radar_ids: Sequence[str], since: dt.datetime, limit: int
    ) -> Delivery | None:
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM deliveries WHERE id = ?", (delivery.id,)).fetchone():
                return None
            found = _uncarried(conn, radar_ids, since, limit)
            claimed = carrying(delivery, found)
            _insert(conn, claimed)
            conn.executemany(
                "UPDATE briefings SET digest_id = ? WHERE id = ? AND digest_id IS NULL",
                [(claimed.id, briefing_id) for briefing_id in claimed.briefing_ids],
            )
            _mark_latest(conn, claimed)
            return claimed

    def get_deliveries(self, delivery_ids: Iterable[str]) -> dict[str, Delivery]:
        wanted = list(dict.fromkeys(delivery_ids))
        found: dict[str, Delivery] = {}
        with self._db.read() as conn:
            for chunk in chunks(wanted):
                marks = ",".join("?" * len(chunk))
                for (doc,) in conn.execute(
                    f"SELECT doc FROM deliveries WHERE id IN ({marks})", tuple(chunk)
                ):
                    delivery = Delivery.model_validate_json(doc)
                    found[delivery.id] = delivery
        return found

    def record(self, delivery: Delivery) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE deliveries SET state = ?, updated_ts = ?, next_ts = ?, doc = ? "
                "WHERE id = ?",
                (*_columns(delivery), delivery.id),
            )
            _mark_latest(conn, delivery)

    def reclaim(self, delivery: Delivery, at: dt.datetime) -> Delivery | None:
        if delivery.state != "retrying":
            return None
        taken = next_attempt(delivery, at)
        with self._db.write() as conn:
            # Only the record as given: another briefer's reclaim took it to 'sending' with
            # one attempt more.
            changed = conn.execute(
                "UPDATE deliveries SET state = ?, updated_ts = ?, next_ts = ?, doc = ? "
                "WHERE id = ? AND state = 'retrying' AND json_extract(doc, '$.attempts') = ?",
                (*_columns(taken), delivery.id, delivery.attempts),
            ).rowcount
            if not changed:
                return None
            _mark_latest(conn, taken)
        return taken

    def due_retries(self, now: dt.datetime, limit: int = 100) -> list[Delivery]:
        rows = self._db.read_all(
            "SELECT doc FROM deliveries WHERE state = 'retrying' AND next_ts <= ? "
            "ORDER BY next_ts, id LIMIT ?",
            (timestamp(now), max(limit, 0)),
        )
        return [Delivery.model_validate_json(doc) for (doc,) in rows]

    def stale_deliveries(self, before: dt.datetime, limit: int = 100) -> list[Delivery]:
        rows = self._db.read_all(
            "SELECT doc FROM deliveries WHERE state = 'sending' AND updated_ts < ? "
            "ORDER BY updated_ts, id LIMIT ?",
            (timestamp(before), max(limit, 0)),
        )
        return [Delivery.model_validate_json(doc) for (doc,) in rows]

    def latest_deliveries(self, radar_id: str) -> list[Delivery]:
        rows = self._db.read_all(
            "SELECT d.doc FROM latest_deliveries l JOIN deliveries d ON d.id = l.delivery_id "
            "WHERE l.radar_id = ? ORDER BY l.channel",
            (radar_id,),
        )
        return [Delivery.model_validate_json(doc) for (doc,) in rows]


def _columns(delivery: Delivery) -> tuple[str, float, float | None, str]:
    nxt = delivery.next_attempt_at
    return (
        delivery.state,
        timestamp(delivery.updated_at),
        None if nxt is None else timestamp(nxt),
        delivery.model_dump_json(),
    )


def _insert(conn: sqlite3.Connection, delivery: Delivery) -> bool:
    return (
        conn.execute(
            "INSERT OR IGNORE INTO deliveries (state, updated_ts, next_ts, doc, id) "
            "VALUES (?, ?, ?, ?, ?)",
            (*_columns(delivery), delivery.id),
        ).rowcount
        > 0
    )


def _mark_latest(conn: sqlite3.Connection, delivery: Delivery) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO latest_deliveries (radar_id, channel, delivery_id) "
        "VALUES (?, ?, ?)",
        [(radar_id, delivery.channel, delivery.id) for radar_id in delivery.radar_ids],
    )


def _uncarried(
    conn: sqlite3.Connection, radar_ids: Sequence[str], since: dt.datetime, limit: int
) -> list[Briefing]:
    """The newest ``limit`` briefings of ``radar_ids`` created since ``since`` that no
    digest carries (newest stored first: the scan stops at the first one too old)."""
    found: list[Briefing] = []
    for chunk in chunks(list(dict.fromkeys(radar_ids))):
        marks = ",".join("?" * len(chunk))
        for (doc,) in conn.execute(
            f"SELECT doc FROM briefings WHERE digest_id IS NULL AND radar_id IN ({marks}) "
            "ORDER BY rowid DESC",
            tuple(chunk),
        ):
            briefing = Briefing.model_validate_json(doc)
            if briefing.created_at < since:
                break
            found.append(briefing)
    found.sort(key=lambda b: (b.created_at, b.id), reverse=True)
    return found[: max(limit, 0)]
