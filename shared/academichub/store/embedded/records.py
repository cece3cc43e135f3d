"""Every record of the embedded store in SQLite, with the port's idempotency rules.

Documents (papers, radars, matches, briefings) are stored whole as their event JSON; the
columns beside them exist only to key, order and filter. Versions are stored as a
``version_rank`` where 0 stands for "no version", so (id, version) can be a primary key.
Each method is one transaction, so a replay or a crash half-way leaves no partial write.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

from academichub.contracts import Briefing, Match, Paper, Radar
from academichub.store.embedded.database import Database
from academichub.store.port import OpenWindow, PaperWrite, PendingItem
from academichub.store.publication import recorded_publication

# Below SQLite's smallest limit on bound parameters per statement (999 before 3.32).
_CHUNK: Final = 500


def version_rank(version: int | None) -> int:
    return 0 if version is None else version


def _version(rank: int) -> int | None:
    return None if rank == 0 else rank


def _timestamp(moment: dt.datetime) -> float:
    """A sortable instant; naive datetimes are taken as UTC (the services write UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.timestamp()


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


@dataclass
class PaperBatch:
    """What one ``upsert_papers`` call did, and which papers the index must now hold."""

    outcomes: list[PaperWrite] = field(default_factory=list)
    to_index: dict[str, tuple[Paper, int]] = field(default_factory=dict)  # id -> (paper, seq)


class Records:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- papers -------------------------------------------------------------------
    @contextmanager
    def write_papers(
        self, papers: Sequence[Paper], *, queue_for_index: bool = False
    ) -> Iterator[PaperBatch]:
        """Store ``papers`` in one transaction that commits when the block exits cleanly.

        The caller indexes ``batch.to_index`` inside the block: if indexing fails nothing
        is committed, and a replay finds the papers still new and indexes them again.
        With ``queue_for_index`` (a process without the index writer) the papers to index
        are queued in the same transaction for the writer to index later.
        """
        with self._db.write() as conn:
            batch = PaperBatch()
            for paper in papers:
                batch.outcomes.append(self._write_paper(conn, paper, batch))
            if queue_for_index and batch.to_index:
                conn.executemany(
                    "INSERT OR IGNORE INTO index_queue (paper_id) VALUES (?)",
                    [(paper_id,) for paper_id in batch.to_index],
                )
            yield batch

    def queued_for_index(self, limit: int) -> list[tuple[Paper, int]]:
        """Current versions of queued papers, oldest arrival first."""
        rows = self._db.read_all(
            "SELECT p.seq, p.doc FROM index_queue q JOIN papers p ON p.id = q.paper_id "
            "ORDER BY p.seq LIMIT ?",
            (limit,),
        )
        return [(Paper.model_validate_json(doc), int(seq)) for seq, doc in rows]

    def dequeue_indexed(self, paper_ids: Iterable[str]) -> None:
        with self._db.write() as conn:
            conn.executemany(
                "DELETE FROM index_queue WHERE paper_id = ?", [(i,) for i in paper_ids]
            )

    def _write_paper(self, conn: sqlite3.Connection, paper: Paper, batch: PaperBatch) -> PaperWrite:
        rank = version_rank(paper.version)
        doc = paper.model_dump_json()
        inserted = conn.execute(
            "INSERT OR IGNORE INTO paper_versions (paper_id, version_rank, doc) VALUES (?, ?, ?)",
            (paper.id, rank, doc),
        ).rowcount
        if not inserted:
            return self._record_publication(conn, paper, rank, batch)
        current = conn.execute(
            "SELECT seq, version_rank FROM papers WHERE id = ?", (paper.id,)
        ).fetchone()
        if current is None:
            cursor = conn.execute(
                "INSERT INTO papers (id, version_rank, published, doc) VALUES (?, ?, ?, ?)",
                (paper.id, rank, paper.published.isoformat(), doc),
            )
            seq = cursor.lastrowid
            assert seq is not None  # an INSERT into a rowid table always sets it
            batch.to_index[paper.id] = (paper, seq)
            return PaperWrite.NEW
        seq, current_rank = current
        if rank <= current_rank:
            return PaperWrite.STALE
        conn.execute(
            "UPDATE papers SET version_rank = ?, published = ?, doc = ? WHERE id = ?",
            (rank, paper.published.isoformat(), doc, paper.id),
        )
        batch.to_index[paper.id] = (paper, seq)
        return PaperWrite.NEW_VERSION

    def _record_publication(
        self, conn: sqlite3.Connection, paper: Paper, rank: int, batch: PaperBatch
    ) -> PaperWrite:
        """A stored (id, version) again: a replay, or the journal publication of it, which
        is merged into the version's document (and the current one, re-indexed, if it is
        the current version) the way a new version would be."""
        (stored_doc,) = conn.execute(
            "SELECT doc FROM paper_versions WHERE paper_id = ? AND version_rank = ?",
            (paper.id, rank),
        ).fetchone()
        merged = recorded_publication(Paper.model_validate_json(stored_doc), paper)
        if merged is None:
            return PaperWrite.UNCHANGED
        doc = merged.model_dump_json()
        conn.execute(
            "UPDATE paper_versions SET doc = ? WHERE paper_id = ? AND version_rank = ?",
            (doc, paper.id, rank),
        )
        current = conn.execute(
            "SELECT seq FROM papers WHERE id = ? AND version_rank = ?", (paper.id, rank)
        ).fetchone()
        if current is not None:
            conn.execute("UPDATE papers SET doc = ? WHERE seq = ?", (doc, current[0]))
            batch.to_index[paper.id] = (merged, int(current[0]))
        return PaperWrite.PUBLISHED

    def get_papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        wanted = list(dict.fromkeys(paper_ids))
        found: dict[str, Paper] = {}
        with self._db.read() as conn:
            for chunk in _chunks(wanted):
                marks = ",".join("?" * len(chunk))
                for paper_id, doc in conn.execute(
                    f"SELECT id, doc FROM papers WHERE id IN ({marks})", tuple(chunk)
                ):
                    found[paper_id] = Paper.model_validate_json(doc)
        return {i: found[i] for i in wanted if i in found}

    def paper_versions(self, paper_id: str) -> list[int | None]:
        rows = self._db.read_all(
            "SELECT version_rank FROM paper_versions WHERE paper_id = ? ORDER BY version_rank",
            (paper_id,),
        )
        return [_version(rank) for (rank,) in rows]

    def latest_papers(self, limit: int, offset: int) -> list[Paper]:
        rows = self._db.read_all(
            "SELECT doc FROM papers ORDER BY published DESC, seq DESC LIMIT ? OFFSET ?",
            (max(limit, 0), max(offset, 0)),
        )
        return [Paper.model_validate_json(doc) for (doc,) in rows]

    def count_papers(self) -> int:
        return int(self._db.read_all("SELECT COUNT(*) FROM papers")[0][0])

    def current_papers(self) -> Iterator[tuple[Paper, int]]:
        """Every current paper with its arrival seq, for rebuilding the index."""
        last = 0
        while True:
            rows = self._db.read_all(
                "SELECT seq, doc FROM papers WHERE seq > ? ORDER BY seq LIMIT ?", (last, _CHUNK)
            )
            if not rows:
                return
            for seq, doc in rows:
                yield Paper.model_validate_json(doc), int(seq)
            last = rows[-1][0]

    # --- radars -------------------------------------------------------------------
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

    def list_radars(self, owner: str | None) -> list[Radar]:
        if owner is None:
            rows = self._db.read_all("SELECT doc FROM radars")
        else:
            rows = self._db.read_all("SELECT doc FROM radars WHERE owner = ?", (owner,))
        radars = [Radar.model_validate_json(doc) for (doc,) in rows]
        # Sorted here, not in SQL: created_at may carry any UTC offset.
        return sorted(radars, key=lambda r: (r.created_at, r.id))

    # --- matches ------------------------------------------------------------------
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
                    (*key, match.score, _timestamp(match.matched_at), match.model_dump_json()),
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
        self, radar_id: str, since: dt.datetime | None, limit: int
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
                (radar_id, _timestamp(since), max(limit, 0)),
            )
        return [Match.model_validate_json(doc) for (doc,) in rows]

    def matched_versions(self, radar_id: str, paper_id: str) -> set[int | None]:
        rows = self._db.read_all(
            "SELECT version_rank FROM matches WHERE radar_id = ? AND paper_id = ?",
            (radar_id, paper_id),
        )
        return {_version(rank) for (rank,) in rows}

    # --- briefings ----------------------------------------------------------------
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
                        paper_id, _version(rank), score, dt.datetime.fromisoformat(enqueued_at)
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

    def briefings_for_radar(self, radar_id: str, limit: int) -> list[Briefing]:
        rows = self._db.read_all(
            "SELECT doc FROM briefings WHERE radar_id = ? ORDER BY window_no DESC LIMIT ?",
            (radar_id, max(limit, 0)),
        )
        return [Briefing.model_validate_json(doc) for (doc,) in rows]

    # --- ingest state -------------------------------------------------------------
    def unpublished(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        wanted = set(keys)
        ids = sorted({paper_id for paper_id, _ in wanted})
        published: set[tuple[str, int | None]] = set()
        with self._db.read() as conn:
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                for paper_id, rank in conn.execute(
                    "SELECT paper_id, version_rank FROM published_keys "
                    f"WHERE paper_id IN ({marks})",
                    tuple(chunk),
                ):
                    published.add((paper_id, _version(rank)))
        return wanted - published

    def mark_published(self, keys: Iterable[tuple[str, int | None]]) -> None:
        rows = [(paper_id, version_rank(v)) for paper_id, v in keys]
        with self._db.write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO published_keys (paper_id, version_rank) VALUES (?, ?)",
                rows,
            )

    def get_cursor(self, source: str) -> dict[str, str] | None:
        rows = self._db.read_all("SELECT cursor FROM ingest_cursors WHERE source = ?", (source,))
        if not rows:
            return None
        cursor: dict[str, str] = json.loads(rows[0][0])
        return cursor

    def set_cursor(self, source: str, cursor: dict[str, str]) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO ingest_cursors (source, cursor) VALUES (?, ?)",
                (source, json.dumps(cursor, sort_keys=True)),
            )
