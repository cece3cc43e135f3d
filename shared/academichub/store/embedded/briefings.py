"""Briefing windows and briefings in the embedded store
(:class:`~academichub.store.port.BriefingStore`).

``pending_items`` holds each radar's open window (rowid keeps the enqueue order),
``open_windows`` when it opened, ``briefed_items`` what a stored briefing took, and
``briefings`` the briefings (their delivery columns are the briefer state's, see
:mod:`.briefer_state`). Each method is one transaction: a replay or a crash half-way
leaves no partial write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from academichub.contracts import Briefing, Match
from academichub.store.embedded.columns import version_of, version_rank
from academichub.store.embedded.database import Database
from academichub.store.port import OpenWindow, PendingItem


class EmbeddedBriefings:
    def __init__(self, db: Database) -> None:
        self._db = db

    def enqueue_for_briefing(self, match: Match) -> bool:
        key = (match.radar_id, match.paper_id, version_rank(match.version))
        with self._db.write() as conn:
            for table in ("briefed_items", "pending_items"):
                if conn.execute(
                    f"SELECT 1 FROM {table} "
                    "WHERE radar_id = ? AND paper_id = ? AND version_rank = ?",
                    key,
                ).fetchone():
                    return False
            queue_empty = not conn.execute(
                "SELECT 1 FROM pending_items WHERE radar_id = ? LIMIT 1", (match.radar_id,)
            ).fetchone()
            if queue_empty:  # the first item into an empty queue opens the radar's window
                conn.execute(
                    "INSERT OR REPLACE INTO open_windows (radar_id, opened_at) VALUES (?, ?)",
                    (match.radar_id, match.matched_at.isoformat()),
                )
            conn.execute(
                "INSERT INTO pending_items "
                "(radar_id, paper_id, version_rank, score, enqueued_at) VALUES (?, ?, ?, ?, ?)",
                (*key, match.score, match.matched_at.isoformat()),
            )
            return True

    def open_windows(self) -> list[OpenWindow]:
        with self._db.read() as conn:
            items: dict[str, list[PendingItem]] = {}
            for radar_id, paper_id, rank, score, enqueued_at in conn.execute(
                "SELECT radar_id, paper_id, version_rank, score, enqueued_at "
                "FROM pending_items ORDER BY radar_id, rowid"
            ):
                items.setdefault(radar_id, []).append(
                    PendingItem(
                        paper_id, version_of(rank), score, dt.datetime.fromisoformat(enqueued_at)
                    )
                )
            opened = dict(conn.execute("SELECT radar_id, opened_at FROM open_windows").fetchall())
            briefed = dict(
                conn.execute(
                    "SELECT radar_id, COUNT(*) FROM briefings GROUP BY radar_id"
                ).fetchall()
            )
        return [
            OpenWindow(
                radar_id,
                1 + int(briefed.get(radar_id, 0)),
                dt.datetime.fromisoformat(opened[radar_id]),
                tuple(queue),
            )
            for radar_id, queue in items.items()
        ]

    def close_window(self, briefing: Briefing, items: Sequence[PendingItem]) -> bool:
        radar_id = briefing.radar_id
        taken = [(radar_id, i.paper_id, version_rank(i.version)) for i in items]
        with self._db.write() as conn:
            written = conn.execute(
                "INSERT OR IGNORE INTO briefings (id, radar_id, window_no, doc) "
                "VALUES (?, ?, ?, ?)",
                (briefing.id, radar_id, briefing.window, briefing.model_dump_json()),
            ).rowcount
            if not written:  # this window is already briefed: a replay
                return False
            conn.executemany(
                "DELETE FROM pending_items "
                "WHERE radar_id = ? AND paper_id = ? AND version_rank = ?",
                taken,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO briefed_items (radar_id, paper_id, version_rank) "
                "VALUES (?, ?, ?)",
                taken,
            )
            # What is left (items that arrived while the briefing was written) opens the
            # next window as of its oldest item.
            first = conn.execute(
                "SELECT enqueued_at FROM pending_items WHERE radar_id = ? ORDER BY rowid LIMIT 1",
                (radar_id,),
            ).fetchone()
            if first is None:
                conn.execute("DELETE FROM open_windows WHERE radar_id = ?", (radar_id,))
            else:
                conn.execute(
                    "UPDATE open_windows SET opened_at = ? WHERE radar_id = ?",
                    (first[0], radar_id),
                )
            return True

    def get_briefing(self, briefing_id: str) -> Briefing | None:
        rows = self._db.read_all("SELECT doc FROM briefings WHERE id = ?", (briefing_id,))
        return Briefing.model_validate_json(rows[0][0]) if rows else None

    def briefings_for_radar(self, radar_id: str, limit: int = 50) -> list[Briefing]:
        rows = self._db.read_all(
            "SELECT doc FROM briefings WHERE radar_id = ? ORDER BY window_no DESC LIMIT ?",
            (radar_id, max(limit, 0)),
        )
        return [Briefing.model_validate_json(doc) for (doc,) in rows]
