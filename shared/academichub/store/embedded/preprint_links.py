"""The ingestor's published preprints by DOI, in the shared SQLite file (PreprintLinkStore).

Two tables: ``preprint_papers`` holds the latest remembered version's document per paper id,
``preprint_dois`` every DOI a preprint is known by (its own and its journal version's, see
:func:`academichub.store.publication.preprint_dois`) pointing at its paper id. A later
version replaces the document; an older one (a backfill) only adds its DOIs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from academichub.contracts import Paper
from academichub.store.embedded.database import Database
from academichub.store.embedded.records import version_rank
from academichub.store.publication import preprint_dois

_CHUNK: Final = 500  # below SQLite's smallest limit on bound parameters (999)


class PreprintLinks:
    def __init__(self, db: Database) -> None:
        self._db = db

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
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for doi, doc in conn.execute(
                    "SELECT d.doi, p.doc FROM preprint_dois d "
                    "JOIN preprint_papers p ON p.paper_id = d.paper_id "
                    f"WHERE d.doi IN ({marks})",
                    tuple(chunk),
                ):
                    found[doi] = Paper.model_validate_json(doc)
        return found
