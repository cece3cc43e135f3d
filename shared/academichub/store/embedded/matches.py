"""Matches in the embedded store (:class:`~academichub.store.port.MatchStore`): one row per
(radar, paper, version) holding the match as first recorded, the keys whose event the
broker acknowledged (``emitted_matches``), and the keys not yet confirmed in a briefing
window (``unqueued_matches``: inserted with the match, deleted by ``mark_queued``, so it
stays as small as what is in flight)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence

from academichub.contracts import Match
from academichub.contracts.match_groups import FoundMatches, flatten, regroup
from academichub.store.embedded.columns import chunks, timestamp, version_of, version_rank
from academichub.store.embedded.database import Database
from academichub.store.port import BackfillMark


class EmbeddedMatches:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        return flatten(self.record_found(regroup(matches)))

    def record_found(self, found: Sequence[FoundMatches]) -> list[FoundMatches]:
        """Set-based: per paper version one look-up of the rows its matches already have
        (a chunk of radar ids at a time; none for a paper new to the store), then one
        ``executemany`` for all new rows of the batch, sorted by key (measured: 2.4x
        faster inserts than in arrival order, the indices' pages are met in order). A
        replay hands back each match as first recorded unless emitted."""
        todo: list[FoundMatches] = []
        rows: list[tuple[str, str, int, float, float, str]] = []
        with self._db.write() as conn:
            for group in found:
                paper_id, rank = group.paper_id, version_rank(group.version)
                held = {} if group.new_paper else self._held(conn, paper_id, rank, group.radar_ids)
                ts = timestamp(group.matched_at)
                if not held and len(set(group.radar_ids)) == len(group.radar_ids):
                    # All new (the common case): recorded, and handed back, as they are.
                    scores = group.scores
                    rows.extend(
                        (radar_id, paper_id, rank, scores[i], ts, group.match_json(i))
                        for i, radar_id in enumerate(group.radar_ids)
                    )
                    todo.append(group)
                    continue
                fresh = FoundMatches(paper_id, group.version, group.matched_at, origin=group.origin)
                replayed: list[Match] = []
                for i, radar_id in enumerate(group.radar_ids):
                    stored = held.get(radar_id)
                    if stored is None:
                        doc = group.match_json(i)
                        rows.append((radar_id, paper_id, rank, group.scores[i], ts, doc))
                        # The same key twice in one call: the second is a replay of the first.
                        held[radar_id] = (doc, False)
                        fresh.add(
                            radar_id,
                            group.scores[i],
                            group.terms[i],
                            group.kind(i),
                            group.nearest_of(i),
                        )
                    elif not stored[1]:  # a replay: hand back the match as first recorded
                        replayed.append(Match.model_validate_json(stored[0]))
                if fresh:
                    todo.append(fresh)
                todo.extend(regroup(replayed))
            rows.sort()
            conn.executemany(
                "INSERT INTO matches (radar_id, paper_id, version_rank, score, matched_ts, doc) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            # Every new match is owed to a briefing window until the briefer says it is in one.
            conn.executemany(
                "INSERT OR IGNORE INTO unqueued_matches "
                "(radar_id, paper_id, version_rank, matched_ts) VALUES (?, ?, ?, ?)",
                [(r, p, rank, ts) for r, p, rank, _, ts, _ in rows],
            )
        return todo

    @staticmethod
    def _held(
        conn: sqlite3.Connection, paper_id: str, rank: int, radar_ids: Sequence[str]
    ) -> dict[str, tuple[str, bool]]:
        """The stored match (its JSON, whether emitted) of each of ``radar_ids`` that has
        one for this paper version."""
        held: dict[str, tuple[str, bool]] = {}
        for chunk in chunks(radar_ids):
            marks = ",".join("?" * len(chunk))
            held.update(
                (radar_id, (doc, bool(emitted)))
                for radar_id, doc, emitted in conn.execute(
                    "SELECT m.radar_id, m.doc, e.radar_id IS NOT NULL FROM matches m "
                    "LEFT JOIN emitted_matches e ON e.radar_id = m.radar_id "
                    "AND e.paper_id = m.paper_id AND e.version_rank = m.version_rank "
                    f"WHERE m.paper_id = ? AND m.version_rank = ? AND m.radar_id IN ({marks})",
                    (paper_id, rank, *chunk),
                )
            )
        return held

    def mark_emitted(self, keys: Iterable[tuple[str, str, int | None]]) -> None:
        rows = sorted((r, p, version_rank(v)) for r, p, v in keys)  # in index order
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

    def versions_matched(
        self, paper_id: str, radar_ids: Iterable[str]
    ) -> dict[str, set[int | None]]:
        wanted = list(dict.fromkeys(radar_ids))
        held: dict[str, set[int | None]] = {}
        for chunk in chunks(wanted):
            marks = ",".join("?" * len(chunk))
            for radar_id, rank in self._db.read_all(
                "SELECT radar_id, version_rank FROM matches "
                f"WHERE paper_id = ? AND radar_id IN ({marks})",
                (paper_id, *chunk),
            ):
                held.setdefault(radar_id, set()).add(version_of(rank))
        return held

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
