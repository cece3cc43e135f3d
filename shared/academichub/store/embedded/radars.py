"""Radars in the embedded store (:class:`~academichub.store.port.RadarStore`): one row per
radar keyed by id with its revision, a tombstone per deleted radar so that an older upsert
replayed after the delete does not bring it back, the outbox of unannounced changes
(``radar_announcements``: one row per radar, its latest change, written in the same
transaction as the change), and the radars made per Idempotency-Key (``radar_requests``)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from academichub.contracts import Radar, RadarChange
from academichub.store.embedded.columns import timestamp
from academichub.store.embedded.database import Database
from academichub.store.port import KeyedRadar, RequestKey


class EmbeddedRadars:
    def __init__(self, db: Database) -> None:
        self._db = db

    def put_radar(self, radar: Radar) -> bool:
        with self._db.write() as conn:
            return _put(conn, radar)

    def delete_radar(self, radar_id: str) -> bool:
        with self._db.write() as conn:
            row = conn.execute("SELECT revision FROM radars WHERE id = ?", (radar_id,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM radars WHERE id = ?", (radar_id,))
            conn.execute(
                "INSERT OR REPLACE INTO radar_tombstones (id, revision) VALUES (?, ?)",
                (radar_id, row[0] + 1),
            )
            _unannounced(conn, radar_id, row[0] + 1)
            return True

    def get_radar(self, radar_id: str) -> Radar | None:
        rows = self._db.read_all("SELECT doc FROM radars WHERE id = ?", (radar_id,))
        return Radar.model_validate_json(rows[0][0]) if rows else None

    def list_radars(self, owner: str | None = None) -> list[Radar]:
        if owner is None:
            rows = self._db.read_all("SELECT doc FROM radars")
        else:
            rows = self._db.read_all("SELECT doc FROM radars WHERE owner = ?", (owner,))
        radars = [Radar.model_validate_json(doc) for (doc,) in rows]
        # Sorted here, not in SQL: created_at may carry any UTC offset.
        return sorted(radars, key=lambda r: (r.created_at, r.id))

    def radar_revisions(self) -> dict[str, int]:
        return dict(self._db.read_all("SELECT id, revision FROM radars"))

    def put_radar_once(
        self, radar: Radar, request: RequestKey, now: dt.datetime
    ) -> KeyedRadar | None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM radar_requests WHERE expires_at <= ?", (timestamp(now),))
            held = conn.execute(
                "SELECT fingerprint, doc FROM radar_requests WHERE scope = ? AND key = ?",
                (request.scope, request.key),
            ).fetchone()
            if held is not None:
                made = Radar.model_validate_json(held[1])
                return KeyedRadar(made, created=False, same_request=held[0] == request.fingerprint)
            taken = conn.execute(
                "SELECT 1 FROM radars WHERE id = ? UNION SELECT 1 FROM radar_tombstones "
                "WHERE id = ?",
                (radar.id, radar.id),
            ).fetchone()
            if taken is not None:
                return None
            _put(conn, radar)
            conn.execute(
                "INSERT INTO radar_requests (scope, key, fingerprint, doc, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    request.scope,
                    request.key,
                    request.fingerprint,
                    radar.model_dump_json(),
                    timestamp(request.expires_at),
                ),
            )
            return KeyedRadar(radar, created=True)

    def unannounced_changes(self, limit: int = 100) -> list[RadarChange]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT a.radar_id, a.revision, r.revision, r.doc FROM radar_announcements a "
                "LEFT JOIN radars r ON r.id = a.radar_id ORDER BY a.rowid LIMIT ?",
                (max(limit, 0),),
            ).fetchall()
        changes = []
        for radar_id, revision, stored_revision, doc in rows:
            if doc is not None and stored_revision == revision:
                radar = Radar.model_validate_json(doc)
                changes.append(
                    RadarChange(kind="upsert", radar_id=radar_id, revision=revision, radar=radar)
                )
            else:  # deleted: the tombstone has this revision
                changes.append(RadarChange(kind="delete", radar_id=radar_id, revision=revision))
        return changes

    def mark_announced(self, radar_id: str, revision: int) -> None:
        with self._db.write() as conn:
            conn.execute(
                "DELETE FROM radar_announcements WHERE radar_id = ? AND revision <= ?",
                (radar_id, revision),
            )


def _put(conn: sqlite3.Connection, radar: Radar) -> bool:
    row = conn.execute("SELECT revision FROM radars WHERE id = ?", (radar.id,)).fetchone()
    if row is not None and row[0] >= radar.revision:
        return False
    tomb = conn.execute(
        "SELECT revision FROM radar_tombstones WHERE id = ?", (radar.id,)
    ).fetchone()
    # A delete outranks every revision up to the one it deleted, so an old upsert
    # replayed after the delete does not bring the radar back.
    if tomb is not None and tomb[0] >= radar.revision:
        return False
    conn.execute(
        "INSERT OR REPLACE INTO radars (id, owner, revision, doc) VALUES (?, ?, ?, ?)",
        (radar.id, radar.owner, radar.revision, radar.model_dump_json()),
    )
    _unannounced(conn, radar.id, radar.revision)
    return True


def _unannounced(conn: sqlite3.Connection, radar_id: str, revision: int) -> None:
    """The radar's change at ``revision`` is to be announced (it supersedes an older one
    still waiting; INSERT OR REPLACE moves it to the end of the order)."""
    conn.execute(
        "INSERT OR REPLACE INTO radar_announcements (radar_id, revision) VALUES (?, ?)",
        (radar_id, revision),
    )
