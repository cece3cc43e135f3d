"""Corpus statistics in the shared SQLite file (:class:`~academichub.store.port.CorpusStore`).

``corpus_totals`` holds the sums in one row and ``corpus_df`` one row per stem; both are
written by :func:`count_new_papers` inside the transaction that stores the papers (see
:mod:`.papers`), so the totals count exactly the papers stored, whichever process stored
them. ``corpus_snapshots`` holds the versions, each written once (INSERT OR IGNORE: the
first writer wins, every later one reads the winner back).

A database that held papers before the tables existed is recounted once: the migration
sets ``recount`` (so does ``rewrite_papers`` when it changed any text), and the first call
of :meth:`EmbeddedCorpus.corpus_state` or :meth:`EmbeddedCorpus.corpus_totals` counts every
stored paper (its current version) under the write lock and clears it. Papers stored
meanwhile are in that count too: it replaces the totals, it does not add to them.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Sequence

from academichub.contracts import Paper
from academichub.radar.document import PaperDocument
from academichub.radar.scoring import CorpusStats
from academichub.store.corpus import SNAPSHOTS_KEPT, counted, decode_df, encode_df
from academichub.store.embedded.database import Database
from academichub.store.port import CorpusSnapshot, CorpusState

log = logging.getLogger(__name__)


def count_new_papers(conn: sqlite3.Connection, documents: Sequence[PaperDocument]) -> None:
    """Add papers stored for the first time to the running totals, in the caller's write
    transaction: one statement for the sums, one ``executemany`` over the distinct stems."""
    added = counted(documents)
    conn.execute(
        "UPDATE corpus_totals SET n_docs = n_docs + ?, title_tokens = title_tokens + ?, "
        "abstract_tokens = abstract_tokens + ? WHERE id = 1",
        (added.n_docs, added.title_tokens, added.abstract_tokens),
    )
    conn.executemany(
        "INSERT INTO corpus_df (stem, df) VALUES (?, ?) "
        "ON CONFLICT (stem) DO UPDATE SET df = df + excluded.df",
        sorted(added.df.items()),  # in key order: each B-tree page is visited once
    )


def recount_later(conn: sqlite3.Connection) -> None:
    """Have the next read count every stored paper again (their text was rewritten)."""
    conn.execute("UPDATE corpus_totals SET recount = 1 WHERE id = 1")


class EmbeddedCorpus:
    def __init__(self, db: Database) -> None:
        self._db = db

    def corpus_state(self) -> CorpusState:
        row = self._db.read_all(
            "SELECT recount, n_docs, (SELECT MAX(version) FROM corpus_snapshots) "
            "FROM corpus_totals WHERE id = 1"
        )
        recount, n_docs, version = row[0]
        if recount:
            n_docs = self._recount().n_docs
        return CorpusState(snapshot_version=version or 0, n_docs=int(n_docs))

    def corpus_totals(self) -> CorpusStats:
        with self._db.read() as conn:
            recount, n_docs, title_tokens, abstract_tokens = conn.execute(
                "SELECT recount, n_docs, title_tokens, abstract_tokens FROM corpus_totals "
                "WHERE id = 1"
            ).fetchone()
            if not recount:
                df = dict(conn.execute("SELECT stem, df FROM corpus_df"))
                return CorpusStats(n_docs, title_tokens, abstract_tokens, df)
        return self._recount()

    def corpus_snapshot(self) -> CorpusSnapshot | None:
        rows = self._db.read_all(
            "SELECT version, n_docs, title_tokens, abstract_tokens, df FROM corpus_snapshots "
            "ORDER BY version DESC LIMIT 1"
        )
        return _snapshot(rows[0]) if rows else None

    def snapshot_corpus_once(self, version: int, stats: CorpusStats) -> CorpusSnapshot:
        blob = encode_df(stats.df)
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._db.write() as conn:
            written = conn.execute(
                "INSERT OR IGNORE INTO corpus_snapshots (version, n_docs, title_tokens, "
                "abstract_tokens, df, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (version, stats.n_docs, stats.title_tokens, stats.abstract_tokens, blob, now),
            ).rowcount
            conn.execute(
                "DELETE FROM corpus_snapshots WHERE version <= "
                "(SELECT MAX(version) FROM corpus_snapshots) - ?",
                (SNAPSHOTS_KEPT,),
            )
            row = conn.execute(
                "SELECT version, n_docs, title_tokens, abstract_tokens, "
                "CASE WHEN ? THEN NULL ELSE df END FROM corpus_snapshots WHERE version = ?",
                (written, version),
            ).fetchone()
        if row is None:  # pruned at once: newer versions than SNAPSHOTS_KEPT exist
            raise ValueError(f"corpus snapshot {version} is older than the ones kept")
        if written:  # this call's: the figures given, not decoded again
            return CorpusSnapshot(version, stats)
        return _snapshot(row)

    def _recount(self) -> CorpusStats:
        """Count every stored paper again (after the migration that added the totals)."""
        with self._db.write() as conn:
            (recount,) = conn.execute("SELECT recount FROM corpus_totals WHERE id = 1").fetchone()
            if recount:
                log.info("counting the stored papers for the corpus statistics (once)")
                totals = CorpusStats.from_documents(
                    PaperDocument.from_paper(Paper.model_validate_json(doc))
                    for (doc,) in conn.execute("SELECT doc FROM papers")
                )
                conn.execute("DELETE FROM corpus_df")
                conn.executemany(
                    "INSERT INTO corpus_df (stem, df) VALUES (?, ?)", totals.df.items()
                )
                conn.execute(
                    "UPDATE corpus_totals SET n_docs = ?, title_tokens = ?, abstract_tokens = ?, "
                    "recount = 0 WHERE id = 1",
                    (totals.n_docs, totals.title_tokens, totals.abstract_tokens),
                )
                return totals
            (n_docs, title_tokens, abstract_tokens) = conn.execute(
                "SELECT n_docs, title_tokens, abstract_tokens FROM corpus_totals WHERE id = 1"
            ).fetchone()
            df = dict(conn.execute("SELECT stem, df FROM corpus_df"))
        return CorpusStats(n_docs, title_tokens, abstract_tokens, df)


def _snapshot(row: tuple[int, int, int, int, bytes]) -> CorpusSnapshot:
    version, n_docs, title_tokens, abstract_tokens, blob = row
    return CorpusSnapshot(
        version, CorpusStats(n_docs, title_tokens, abstract_tokens, decode_df(blob))
    )
