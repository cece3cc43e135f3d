"""Matches in the embedded store (:class:`~academichub.store.port.MatchStore`): one row per
(radar, paper, version) holding the match as first recorded, the keys whose event the
broker acknowledged (``emitted_matches``), and the keys not yet confirmed in a briefing
window (``unqueued_matches``: inserted with the match, deleted by ``mark_queued``, so it
stays as small as what is in flight)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from academichub.contracts import Match
from academichub.store.embedded.columns import timestamp, version_of, version_rank
from academichub.store.embedded.database import Database
from academichub.store.port import BackfillMark


class EmbeddedMatches:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        todo: list[Match] = []
        with self._db.write() as conn:
            for match in matches:
                radar_id, paper_id, version = match.key
                key = (radar_id, paper_id, version_rank(version))
                inserted = conn.execute(
                    "INSERT OR IGNORE INTO matches "
                    "(radar_id, paper_id, version_rank, score, matched_ts, doc) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (*key, match.score, timestamp(match.matched_at), match.model_dump_json()),
                ).rowcount
                emitted = conn.execute(
                    "SELECT 1 FROM emitted_matches "
                    "WHERE radar_id = ? AND paper_id = ? AND version_rank = ?",
                    key,
                ).fetchone()
                if inserted:
                    conn.execute(
                        "INSERT OR IGNORE INTO unqueued_matches "
                        "(radar_id, paper_id, version_rank, matched_ts) VALUES (?, ?, ?, ?)",
                        (*key, timestamp(match.matched_at)),
                    )
                if emitted is not None:
                    continue
                if inserted:
                    todo.append(match)
                else:  # a replay: hand back the match as first recorded
                    (doc,) = conn.execute(
                        "SELECT doc FROM matches "
                        "WHERE radar_id = ? AND paper_id = ? AND version_rank = ?",
                        key,
                    ).fetchone()
                    todo.append(Match.model_validate_json(doc))
        return todo

    def mark_emitted(self, keys: Iterable[tuple[str, str, int | None]]) -> None:
        rows = [(r, p, version_rank(v)) for r, p, v in keys]
        with self._db.write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO emitted_matches (radar_id, paper_id, version_rank) "
                "VALUES (?, ?, ?)",
                rows,
            )

    def mark_queued(self, keys: Iterable[tuple[str, str, int | None]]) -> None:
        rows = [(r, p, version_rank(v)) for r, p, v in keys]
        with self._db.write() as conn:
            conn.executemany(
                "DELETE FROM unqueued_matches "
                "WHERE radar_id = ? AND paper_id = ? AND version_rank = ?",
                rows,
            )

    def unqueued_matches(self, recorded_before: dt.datetime, limit: int = 500) -> list[Match]:
        rows = self._db.read_all(
            "SELECT m.doc FROM unqueued_matches u JOIN matches m ON m.radar_id = u.radar_id "
            "AND m.paper_id = u.paper_id AND m.version_rank = u.version_rank "
            "WHERE u.matched_ts < ? ORDER BY u.matched_ts LIMIT ?",
            (timestamp(recorded_before), max(limit, 0)),
        )
        return [Match.model_validate_json(doc) for (doc,) in rows]

    def matches_for_radar(
        self, radar_id: str, since: dt.datetime | None = None, limit: int = 100
    ) -> list[Match]:
        # rowid last: equal (score, paper) keep the order they were recorded in.
        if since is None:
            rows = self._db.read_all(
                "SELECT doc FROM matches WHERE radar_id = ? "
                "ORDER BY score DESC, paper_id, rowid LIMIT ?",
                (radar_id, max(limit, 0)),
            )
        else:
            rows = self._db.read_all(
                "SELECT doc FROM matches WHERE radar_id = ? AND matched_ts >= ? "
                "ORDER BY score DESC, paper_id, rowid LIMIT ?",
                (radar_id, timestamp(since), max(limit, 0)),
            )
        return [Match.model_validate_json(doc) for (doc,) in rows]

    def matched_versions(self, radar_id: str, paper_id: str) -> set[int | None]:
        rows = self._db.read_all(
            "SELECT version_rank FROM matches WHERE radar_id = ? AND paper_id = ?",
            (radar_id, paper_id),
        )
        return {version_of(rank) for (rank,) in rows}

    def match_keys(self, radar_id: str) -> list[tuple[str, str, int | None]]:
        rows = self._db.read_all(
            "SELECT paper_id, version_rank FROM matches WHERE radar_id = ?", (radar_id,)
        )
        return [(radar_id, paper_id, version_of(rank)) for paper_id, rank in rows]

    def retract_matches(self, keys: Iterable[tuple[str, str, int | None]]) -> int:
        rows = list({(r, p, version_rank(v)) for r, p, v in keys})
        gone = 0
        with self._db.write() as conn:
            for row in rows:
                where = "WHERE radar_id = ? AND paper_id = ? AND version_rank = ?"
                gone += conn.execute(f"DELETE FROM matches {where}", row).rowcount
                conn.execute(f"DELETE FROM emitted_matches {where}", row)
                # Gone, it is owed to no window (recorded again later, it is owed afresh).
                conn.execute(f"DELETE FROM unqueued_matches {where}", row)
                # Out of the open window; briefed_items stay: a written briefing cited it.
                conn.execute(f"DELETE FROM pending_items {where}", row)
            for radar_id in {r for r, _, _ in rows}:
                # A window emptied by the retraction is no longer open.
                first = conn.execute(
                    "SELECT MIN(enqueued_at) FROM pending_items WHERE radar_id = ?", (radar_id,)
                ).fetchone()[0]
                if first is None:
                    conn.execute("DELETE FROM open_windows WHERE radar_id = ?", (radar_id,))
        return gone

    def backfill_mark(self, radar_id: str) -> BackfillMark | None:
        rows = self._db.read_all("SELECT doc FROM radar_backfills WHERE radar_id = ?", (radar_id,))
        return BackfillMark.from_document(json.loads(rows[0][0])) if rows else None

    def mark_backfilled(self, mark: BackfillMark) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO radar_backfills (radar_id, revision, doc) VALUES (?, ?, ?) "
                "ON CONFLICT (radar_id) DO UPDATE SET revision = excluded.revision, "
                "doc = excluded.doc WHERE excluded.revision >= radar_backfills.revision",
                (mark.radar_id, mark.revision, json.dumps(mark.as_document())),
            )

    def forget_backfill(self, radar_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM radar_backfills WHERE radar_id = ?", (radar_id,))
