"""Papers in the embedded store: records in SQLite, full text in the tantivy index
(:class:`~academichub.store.port.PaperStore`).

Documents are stored whole as their event JSON; the columns beside them exist only to key,
order and filter. ``papers`` holds the current version of each paper (``seq`` is the
arrival order of its id), ``paper_versions`` every version seen.

Paper writes go to the index first and to SQLite last, inside one SQLite transaction:
if the process dies between the two, SQLite never recorded the papers, so the replayed
event finds them new and indexes them again (replacing, not duplicating). The reverse
order could leave a stored paper that search never finds.

Exactly one process writes the index (the matcher opened with ``index_writer=True``);
papers stored by others (scaled-out matchers) are queued in ``index_queue`` in the same
transaction, and the writer indexes them in :meth:`EmbeddedPapers.drain_index_queue`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from academichub.contracts import Paper
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.store.corpus import new_documents
from academichub.store.embedded.columns import CHUNK, chunks, version_of, version_rank
from academichub.store.embedded.corpus import count_new_papers, recount_later
from academichub.store.embedded.database import Database
from academichub.store.embedded.fulltext import FullTextIndex
from academichub.store.port import NO_FILTERS, PaperWrite, SearchFilters, SearchHit, SearchPage
from academichub.store.publication import recorded_publication
from academichub.store.rewrite import rewritten


@dataclass
class _Batch:
    """What one ``upsert_papers`` call did, and which papers the index must now hold."""

    outcomes: list[PaperWrite] = field(default_factory=list)
    to_index: dict[str, tuple[Paper, int]] = field(default_factory=dict)  # id -> (paper, seq)


class EmbeddedPapers:
    def __init__(self, db: Database, index: FullTextIndex) -> None:
        self._db = db
        self._index = index

    def rebuild_index_if_lost(self) -> None:
        """An empty index beside stored papers was deleted or never written, and an index
        made with another analysis holds other tokens: either is refilled from the records.
        (The index writer, at start.)"""
        lost = self._index.count() == 0 and self.count_papers() > 0
        if lost or not self._index.analysed_as_now():
            self._index.rebuild(self._current_papers())

    # --- writing ------------------------------------------------------------------
    def upsert_papers(
        self, papers: Sequence[Paper], documents: Sequence[PaperDocument] | None = None
    ) -> list[PaperWrite]:
        if not papers:
            return []
        writer = self._index.is_writer
        with self._db.write() as conn:
            batch = _Batch()
            for paper in papers:
                batch.outcomes.append(self._write_paper(conn, paper, batch))
            new = new_documents(papers, batch.outcomes, documents)
            if new:  # counted with the papers: both are committed, or neither
                count_new_papers(conn, new)
            if not batch.to_index:
                return batch.outcomes
            if writer:
                # Inside the transaction: if indexing fails nothing is committed, and a
                # replay finds the papers still new and indexes them again.
                self._index.replace(batch.to_index.values())
            else:
                # A scaled-out matcher: records now, indexing by the writer.
                conn.executemany(
                    "INSERT OR IGNORE INTO index_queue (paper_id) VALUES (?)",
                    [(paper_id,) for paper_id in batch.to_index],
                )
        return batch.outcomes

    def drain_index_queue(self, limit: int = 500) -> int:
        """Index papers that processes without the index writer stored; return how many.

        Indexing replaces by id, so a crash before the queue entries are removed only
        indexes them again.
        """
        self._index.require_writer()
        rows = self._db.read_all(
            "SELECT p.seq, p.doc FROM index_queue q JOIN papers p ON p.id = q.paper_id "
            "ORDER BY p.seq LIMIT ?",
            (limit,),
        )
        queued = [(Paper.model_validate_json(doc), int(seq)) for seq, doc in rows]
        if queued:
            self._index.replace(queued)
            with self._db.write() as conn:
                conn.executemany(
                    "DELETE FROM index_queue WHERE paper_id = ?", [(p.id,) for p, _ in queued]
                )
        return len(queued)

    def _write_paper(self, conn: sqlite3.Connection, paper: Paper, batch: _Batch) -> PaperWrite:
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
        self, conn: sqlite3.Connection, paper: Paper, rank: int, batch: _Batch
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

    def rewrite_papers(self, rewrite: Callable[[Paper], Paper]) -> int:
        """Records first, then the changed papers in the index: by this process when it
        holds the index writer, else queued for the process that does. The index already
        holds the current analysis: the writer rebuilds it on opening when it does not."""
        changed, current = self._rewrite_records(rewrite)
        if changed:  # other text, other tokens: the corpus totals are counted again
            with self._db.write() as conn:
                recount_later(conn)
        if self._index.is_writer:
            self._index.replace(current)
        else:
            self._queue_for_index(paper.id for paper, _ in current)
        return changed

    def _rewrite_records(
        self, rewrite: Callable[[Paper], Paper]
    ) -> tuple[int, list[tuple[Paper, int]]]:
        """Every stored paper document, history and current, through ``rewrite`` in
        place, a chunk per transaction: how many documents changed, and the current
        papers that did with their arrival seq (to index again)."""
        changed = 0
        last: tuple[str, int] = ("", -1)
        while True:
            rows = self._db.read_all(
                "SELECT paper_id, version_rank, doc FROM paper_versions "
                "WHERE (paper_id, version_rank) > (?, ?) "
                "ORDER BY paper_id, version_rank LIMIT ?",
                (*last, CHUNK),
            )
            if not rows:
                break
            changes = _rewritten_docs(rewrite, [doc for _, _, doc in rows])
            with self._db.write() as conn:
                conn.executemany(
                    "UPDATE paper_versions SET doc = ? WHERE paper_id = ? AND version_rank = ?",
                    [(new, rows[i][0], rows[i][1]) for i, new in changes],
                )
            changed += len(changes)
            last = (rows[-1][0], rows[-1][1])
        seq = 0
        current: list[tuple[Paper, int]] = []
        while True:
            rows = self._db.read_all(
                "SELECT seq, doc FROM papers WHERE seq > ? ORDER BY seq LIMIT ?", (seq, CHUNK)
            )
            if not rows:
                break
            changes = _rewritten_docs(rewrite, [doc for _, doc in rows])
            with self._db.write() as conn:
                conn.executemany(
                    "UPDATE papers SET doc = ? WHERE seq = ?",
                    [(new, rows[i][0]) for i, new in changes],
                )
            changed += len(changes)
            current += [(Paper.model_validate_json(new), int(rows[i][0])) for i, new in changes]
            seq = rows[-1][0]
        return changed, current

    def _queue_for_index(self, paper_ids: Iterable[str]) -> None:
        """Queue papers for the index writer (drain_index_queue)."""
        with self._db.write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO index_queue (paper_id) VALUES (?)",
                [(paper_id,) for paper_id in paper_ids],
            )

    # --- reading ------------------------------------------------------------------
    def get_paper(self, paper_id: str) -> Paper | None:
        return self.get_papers([paper_id]).get(paper_id)

    def get_papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        wanted = list(dict.fromkeys(paper_ids))
        found: dict[str, Paper] = {}
        with self._db.read() as conn:
            for chunk in chunks(wanted):
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
        return [version_of(rank) for (rank,) in rows]

    def latest_papers(self, limit: int, offset: int = 0) -> list[Paper]:
        rows = self._db.read_all(
            "SELECT doc FROM papers ORDER BY published DESC, seq DESC LIMIT ? OFFSET ?",
            (max(limit, 0), max(offset, 0)),
        )
        return [Paper.model_validate_json(doc) for (doc,) in rows]

    def count_papers(self) -> int:
        return int(self._db.read_all("SELECT COUNT(*) FROM papers")[0][0])

    def held_versions(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        wanted = sorted({(paper_id, version_rank(v)) for paper_id, v in keys})
        held: set[tuple[str, int | None]] = set()
        with self._db.read() as conn:
            for chunk in chunks(wanted, CHUNK // 2):
                pairs = ",".join("(?, ?)" for _ in chunk)
                found = conn.execute(
                    "SELECT paper_id, version_rank FROM paper_versions "
                    f"WHERE (paper_id, version_rank) IN (VALUES {pairs})",
                    tuple(value for pair in chunk for value in pair),
                )
                held.update((paper_id, version_of(rank)) for paper_id, rank in found)
        return held

    def search(
        self,
        query: Node | None,
        filters: SearchFilters = NO_FILTERS,
        sort: Literal["relevance", "date"] = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        ranked = self._index.search(query, filters, sort, limit, offset)
        papers = self.get_papers(paper_id for paper_id, _ in ranked.hits)
        # A hit without a record is a batch indexed but not yet committed to SQLite
        # (or lost with it): it is not a paper yet.
        hits = tuple(SearchHit(papers[i], score) for i, score in ranked.hits if i in papers)
        return SearchPage(total=ranked.total, hits=hits)

    def _current_papers(self) -> Iterator[tuple[Paper, int]]:
        """Every current paper with its arrival seq, for rebuilding the index."""
        last = 0
        while True:
            rows = self._db.read_all(
                "SELECT seq, doc FROM papers WHERE seq > ? ORDER BY seq LIMIT ?", (last, CHUNK)
            )
            if not rows:
                return
            for seq, doc in rows:
                yield Paper.model_validate_json(doc), int(seq)
            last = rows[-1][0]


def _rewritten_docs(rewrite: Callable[[Paper], Paper], docs: list[str]) -> list[tuple[int, str]]:
    """(position, new document) of the documents ``rewrite`` changes."""
    changes = []
    for i, doc in enumerate(docs):
        paper = Paper.model_validate_json(doc)
        new = rewritten(rewrite, paper)
        if new != paper:
            changes.append((i, new.model_dump_json()))
    return changes
