"""The ingestor's state in the embedded store (:class:`~academichub.store.port.
IngestStateStore`): the (id, version) keys it published, a cursor per source, and the
preprints it published by DOI.

Preprints are two tables: ``preprint_papers`` holds the latest remembered version's
document per paper id, ``preprint_dois`` every DOI a preprint is known by (its own and its
journal version's, see :func:`academichub.store.publication.preprint_dois`) pointing at its
paper id. A later version replaces the document; an older one (a backfill) only adds its
DOIs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from academichub.contracts import Paper
from academichub.store.embedded.columns import chunks, version_of, version_rank
from academichub.store.embedded.database import Database
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
