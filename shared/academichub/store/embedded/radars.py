"""Radars in the embedded store (:class:`~academichub.store.port.RadarStore`): one row per
radar keyed by id with its revision, and a tombstone per deleted radar so that an older
upsert replayed after the delete does not bring it back."""

from __future__ import annotations

from academichub.contracts import Radar
from academichub.store.embedded.database import Database


class EmbeddedRadars:
    def __init__(self, db: Database) -> None:
        self._db = db

    def put_radar(self, radar: Radar) -> bool:
        with self._db.write() as conn:
            stored = conn.execute("SELECT revision FROM radars WHERE id = ?", (radar.id,))
            row = stored.fetchone()
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
            return True

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
