"""Matches in the embedded store (:class:`~academichub.store.port.MatchStore`).

``matches`` holds one row per (radar, paper, version): the match as first recorded. What
is still owed is kept per *group*, the matches of one paper version recorded at one instant
(what one :class:`~academichub.contracts.match_groups.FoundMatches` carries, and one
``matches`` event of version 3 carries part of): ``match_groups`` has a row per (paper,
version, matched_ts) with its radars, whether the broker acknowledged its events
(``emitted``) and whether the briefer confirmed all of it in briefing windows (``queued``).
At 100,000 radars a paper version matches ~150 of them at once, so recording a paper costs
one bookkeeping row, not one per match (measured: the per-match ``emitted_matches`` insert
alone was ~13 % of the matcher's time).

A match is emitted iff its group is, and queued iff its group is or it is in
``queued_members``: the members the briefer confirmed of a group not yet confirmed whole
(a group's events are split per partition of ``matches``, and an older matcher sent one
match per event, so they arrive apart). Those rows go when the group is whole, so the
table stays as small as what is in flight.

Members added to a group that exists already (the same paper version recorded again at
the same instant, as two backfills started at that instant would) clear its marks: the
group's events are owed again whole (at least once rather than lost), and a group confirmed
queued keeps its earlier members confirmed in ``queued_members``.
"""

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

# A group's key as stored: (paper id, version rank, matched_ts).
GroupKey = tuple[str, int, float]

_GROUP = "paper_id = ? AND version_rank = ? AND matched_ts = ?"


class EmbeddedMatches:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        return flatten(self.record_found(regroup(matches)))

    def record_found(self, found: Sequence[FoundMatches]) -> list[FoundMatches]:
        """Set-based: per paper version one look-up of the rows its matches already have
        (a chunk of radar ids at a time; none for a paper new to the store), then one
        ``executemany`` for all new rows of the batch, sorted by key (measured: 2.4x
        faster inserts than in arrival order, the indices' pages are met in order), and
        one for their groups. A replay hands back each match as first recorded unless its
        group was emitted."""
        todo: list[FoundMatches] = []
        rows: list[tuple[str, str, int, float, float, str]] = []
        members: dict[GroupKey, list[str]] = {}
        new_papers = {group.paper_id for group in found if group.new_paper}
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
                    members.setdefault((paper_id, rank, ts), []).extend(group.radar_ids)
                    todo.append(group)
                    continue
                fresh = FoundMatches(paper_id, group.version, group.matched_at, origin=group.origin)
                replayed: list[Match] = []
                for i, radar_id in enumerate(group.radar_ids):
                    stored = held.get(radar_id)
                    if stored is None:
                        doc = group.match_json(i)
                        rows.append((radar_id, paper_id, rank, group.scores[i], ts, doc))
                        members.setdefault((paper_id, rank, ts), []).append(radar_id)
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
                # Regrouped by what each was first recorded with (its matched_at: its group).
                todo.extend(regroup(replayed))
            rows.sort()
            conn.executemany(
                "INSERT INTO matches (radar_id, paper_id, version_rank, score, matched_ts, doc) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            # A group that exists already may gain members (module docstring): if it was
            # confirmed queued, its members so far stay confirmed, one by one.
            conn.executemany(
                "INSERT OR IGNORE INTO queued_members "
                "(paper_id, version_rank, matched_ts, radar_id) "
                "SELECT paper_id, version_rank, matched_ts, value "
                f"FROM match_groups, json_each(radar_ids) WHERE {_GROUP} AND queued = 1",
                [key for key in sorted(members) if key[0] not in new_papers],
            )
            # One row per group, owed to the broker and to briefing windows. A group that
            # exists already gains the members and is owed to the broker whole again.
            conn.executemany(
                "INSERT INTO match_groups "
                "(paper_id, version_rank, matched_ts, radar_ids, size, emitted, queued) "
                "VALUES (?, ?, ?, ?, ?, 0, 0) "
                "ON CONFLICT (paper_id, version_rank, matched_ts) DO UPDATE SET "
                "radar_ids = (SELECT json_group_array(value) FROM ("
                "SELECT value FROM json_each(match_groups.radar_ids) "
                "UNION ALL SELECT value FROM json_each(excluded.radar_ids))), "
                "size = size + excluded.size, emitted = 0, queued = 0",
                [
                    (*key, json.dumps(radar_ids), len(radar_ids))
                    for key, radar_ids in sorted(members.items())
                ],
            )
        return todo

    @staticmethod
    def _held(
        conn: sqlite3.Connection, paper_id: str, rank: int, radar_ids: Sequence[str]
    ) -> dict[str, tuple[str, bool]]:
        """The stored match (its JSON, whether its group was emitted) of each of
        ``radar_ids`` that has one for this paper version."""
        held: dict[str, tuple[str, bool]] = {}
        for chunk in chunks(radar_ids):
            marks = ",".join("?" * len(chunk))
            held.update(
                (radar_id, (doc, bool(emitted)))
                for radar_id, doc, emitted in conn.execute(
                    "SELECT m.radar_id, m.doc, COALESCE(g.emitted, 0) FROM matches m "
                    "LEFT JOIN match_groups g ON g.paper_id = m.paper_id "
                    "AND g.version_rank = m.version_rank AND g.matched_ts = m.matched_ts "
                    f"WHERE m.paper_id = ? AND m.version_rank = ? AND m.radar_id IN ({marks})",
                    (paper_id, rank, *chunk),
                )
            )
        return held

    def mark_emitted(self, found: Iterable[FoundMatches]) -> None:
        """A group is marked when every member it has was given (what ``record_found``
        handed out is every member of its group not yet emitted, so all of them)."""
        given: dict[GroupKey, set[str]] = {}
        for group in found:
            key = (group.paper_id, version_rank(group.version), timestamp(group.matched_at))
            given.setdefault(key, set()).update(group.radar_ids)
        with self._db.write() as conn:
            conn.executemany(
                f"UPDATE match_groups SET emitted = 1 WHERE {_GROUP} AND size <= ?",
                [(*key, len(radar_ids)) for key, radar_ids in sorted(given.items())],
            )

    def mark_queued(self, matches: Iterable[Match]) -> None:
        """Per group: confirmed whole when the members given, with those confirmed before,
        are all it has; else the given members are kept in ``queued_members``."""
        given: dict[GroupKey, set[str]] = {}
        for match in matches:
            key = (match.paper_id, version_rank(match.version), timestamp(match.matched_at))
            given.setdefault(key, set()).add(match.radar_id)
        with self._db.write() as conn:
            for key, radar_ids in sorted(given.items()):
                row = conn.execute(
                    f"SELECT radar_ids FROM match_groups WHERE {_GROUP} AND queued = 0", key
                ).fetchone()
                if row is None:  # confirmed already, or never recorded: nothing to confirm
                    continue
                owed = set(json.loads(row[0]))
                confirmed = radar_ids & owed
                if not confirmed:
                    continue
                if confirmed != owed:
                    conn.executemany(
                        "INSERT OR IGNORE INTO queued_members "
                        "(paper_id, version_rank, matched_ts, radar_id) VALUES (?, ?, ?, ?)",
                        [(*key, radar_id) for radar_id in sorted(confirmed)],
                    )
                    if not owed <= self._confirmed(conn, key):
                        continue
                self._queued(conn, key)

    @staticmethod
    def _confirmed(conn: sqlite3.Connection, key: GroupKey) -> set[str]:
        """The members of a group confirmed queued while it is not whole."""
        return {
            radar_id
            for (radar_id,) in conn.execute(
                f"SELECT radar_id FROM queued_members WHERE {_GROUP}", key
            )
        }

    @staticmethod
    def _queued(conn: sqlite3.Connection, key: GroupKey) -> None:
        """The group confirmed whole: marked, and its members' confirmations forgotten."""
        conn.execute(f"UPDATE match_groups SET queued = 1 WHERE {_GROUP}", key)
        conn.execute(f"DELETE FROM queued_members WHERE {_GROUP}", key)

    def unqueued_matches(self, recorded_before: dt.datetime, limit: int = 500) -> list[Match]:
        wanted = max(limit, 0)
        found: list[Match] = []
        with self._db.read() as conn:
            # Each group not queued owes at least one match: ``wanted`` groups are enough.
            groups = conn.execute(
                "SELECT paper_id, version_rank, matched_ts, radar_ids FROM match_groups "
                "WHERE queued = 0 AND matched_ts < ? "
                "ORDER BY matched_ts, paper_id, version_rank LIMIT ?",
                (timestamp(recorded_before), wanted),
            ).fetchall()
            for paper_id, rank, ts, radar_ids in groups:
                if len(found) >= wanted:
                    break
                confirmed = self._confirmed(conn, (paper_id, rank, ts))
                for radar_id in json.loads(radar_ids):
                    if radar_id in confirmed or len(found) >= wanted:
                        continue
                    row = conn.execute(
                        "SELECT doc FROM matches "
                        "WHERE radar_id = ? AND paper_id = ? AND version_rank = ?",
                        (radar_id, paper_id, rank),
                    ).fetchone()
                    if row is not None:
                        found.append(Match.model_validate_json(row[0]))
        return found

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
                recorded = conn.execute(f"DELETE FROM matches {where} RETURNING matched_ts", row)
                for (ts,) in recorded.fetchall():
                    gone += 1
                    self._leave_group(conn, row[0], (row[1], row[2], ts))
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

    def _leave_group(self, conn: sqlite3.Connection, radar_id: str, key: GroupKey) -> None:
        """A retracted match leaves its group: the rest keep its marks (and a group whose
        unconfirmed members were all retracted is whole); a group left empty goes, so the
        match recorded again later is owed afresh."""
        conn.execute(
            f"DELETE FROM queued_members WHERE {_GROUP} AND radar_id = ?", (*key, radar_id)
        )
        row = conn.execute(
            f"SELECT radar_ids, queued FROM match_groups WHERE {_GROUP}", key
        ).fetchone()
        if row is None:
            return
        rest = [r for r in json.loads(row[0]) if r != radar_id]
        if not rest:
            conn.execute(f"DELETE FROM match_groups WHERE {_GROUP}", key)
            conn.execute(f"DELETE FROM queued_members WHERE {_GROUP}", key)
            return
        conn.execute(
            f"UPDATE match_groups SET radar_ids = ?, size = ? WHERE {_GROUP}",
            (json.dumps(rest), len(rest), *key),
        )
        if not row[1] and set(rest) <= self._confirmed(conn, key):
            self._queued(conn, key)

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
