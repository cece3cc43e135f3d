"""The ingestor's state in the embedded store (:class:`~academichub.store.port.
IngestStateStore`): the (id, version) keys it published, a cursor per source, the
preprints it published by DOI, and the papers it sent and has not yet seen stored
(``sent_papers``, written in the same transaction as their keys).

Preprints are two tables: ``preprint_papers`` holds the latest remembered version's
document per paper id, ``preprint_dois`` every DOI a preprint is known by (its own and its
journal version's, see :func:`academichub.store.publication.preprint_dois`) pointing at its
paper id. A later version replaces the document; an older one (a backfill) only adds its
DOIs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from academichub.contracts import Paper
from academichub.store.embedded.columns import chunks, timestamp, version_of, version_rank
from academichub.store.embedded.database import Database
from academichub.store.port import SentPaper
from academichub.store.publication import preprint_dois


class EmbeddedIngestState:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- published keys and cursors ---------------------------------------------------
    def unpublished(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        wanted = set(keys)
        ids = sorted({paper_id for paper_id, _ in wanted})
        published: set[tuple[str, int | None]] = set()
        with self._db.read() as conn:
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                for paper_id, rank in conn.execute(
                    "SELECT paper_id, version_rank FROM published_keys "
                    f"WHERE paper_id IN ({marks})",
                    tuple(chunk),
                ):
                    published.add((paper_id, version_of(rank)))
        return wanted - published

    def mark_published(
        self,
        keys: Iterable[tuple[str, int | None]],
        sent: Sequence[Paper] = (),
        check_at: dt.datetime | None = None,
    ) -> None:
        if sent and check_at is None:
            raise ValueError("papers kept as sent need a check time")
        rows = [(paper_id, version_rank(v)) for paper_id, v in keys]
        with self._db.write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO published_keys (paper_id, version_rank) VALUES (?, ?)",
                rows,
            )
            if sent and check_at is not None:
                conn.executemany(
                    "INSERT OR IGNORE INTO sent_papers "
                    "(paper_id, version_rank, doc, check_ts) VALUES (?, ?, ?, ?)",
                    [
                        (p.id, version_rank(p.version), p.model_dump_json(), timestamp(check_at))
                        for p in sent
                    ],
                )

    def sent_papers_due(self, now: dt.datetime, limit: int = 500) -> list[SentPaper]:
        rows = self._db.read_all(
            "SELECT doc, attempts FROM sent_papers WHERE check_ts <= ? "
            "ORDER BY check_ts, rowid LIMIT ?",
            (timestamp(now), max(limit, 0)),
        )
        return [SentPaper(Paper.model_validate_json(doc), attempts) for doc, attempts in rows]

    def settle_sent(
        self,
        stored: Iterable[tuple[str, int | None]],
        resent: Iterable[tuple[tuple[str, int | None], dt.datetime]] = (),
    ) -> None:
        with self._db.write() as conn:
            conn.executemany(
                "DELETE FROM sent_papers WHERE paper_id = ? AND version_rank = ?",
                [(paper_id, version_rank(v)) for paper_id, v in stored],
            )
            conn.executemany(
                "UPDATE sent_papers SET check_ts = ?, attempts = attempts + 1 "
                "WHERE paper_id = ? AND version_rank = ?",
                [
                    (timestamp(check_at), paper_id, version_rank(v))
                    for (paper_id, v), check_at in resent
                ],
            )

    def count_sent(self, min_attempts: int = 0) -> int:
        rows = self._db.read_all(
            "SELECT COUNT(*) FROM sent_papers WHERE attempts >= ?", (min_attempts,)
        )
        return int(rows[0][0])

    def trim_sent(self, keep: int) -> int:
        with self._db.write() as conn:
            return conn.execute(
                "DELETE FROM sent_papers WHERE rowid IN (SELECT rowid FROM sent_papers "
                "ORDER BY rowid LIMIT max((SELECT COUNT(*) FROM sent_papers) - ?, 0))",
                (max(keep, 0),),
            ).rowcount

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

    # --- preprints by DOI ---------------------------------------------------------------
    def remember_preprints(self, papers: Sequence[Paper]) -> None:
        rows = [(paper, preprint_dois(paper)) for paper in papers]
        rows = [(paper, dois) for paper, dois in rows if dois]
        if not rows:
            return
        with self._db.write() as conn:
            for paper, dois in rows:
                conn.execute(
                    "INSERT INTO preprint_papers (paper_id, version_rank, doc) VALUES (?, ?, ?) "
                    "ON CONFLICT (paper_id) DO UPDATE SET "
                    "version_rank = excluded.version_rank, doc = excluded.doc "
                    "WHERE excluded.version_rank >= preprint_papers.version_rank",
                    (paper.id, version_rank(paper.version), paper.model_dump_json()),
                )
                conn.executemany(
                    "INSERT OR REPLACE INTO preprint_dois (doi, paper_id) VALUES (?, ?)",
                    [(doi, paper.id) for doi in dois],
                )

    def preprints_for_dois(self, dois: Iterable[str]) -> dict[str, Paper]:
        wanted = list(dict.fromkeys(doi.lower() for doi in dois))
        found: dict[str, Paper] = {}
        with self._db.read() as conn:
            for chunk in chunks(wanted):
                marks = ",".join("?" * len(chunk))
                for doi, doc in conn.execute(
                    "SELECT d.doi, p.doc FROM preprint_dois d "
                    "JOIN preprint_papers p ON p.paper_id = d.paper_id "
                    f"WHERE d.doi IN ({marks})",
                    tuple(chunk),
                ):
                    found[doi] = Paper.model_validate_json(doc)
        return found
