"""Matches in the embedded store (:class:`~academichub.store.port.MatchStore`): one row per
(radar, paper, version) holding the match as first recorded, and the keys whose event the
broker acknowledged (``emitted_matches``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from academichub.contracts import Match
from academichub.store.embedded.columns import timestamp, version_of, version_rank
from academichub.store.embedded.database import Database


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
