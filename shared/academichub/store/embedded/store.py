"""The embedded store: SQLite records plus a tantivy full-text index in one data folder.

Layout of ``data_dir``::

    academichub.sqlite3   every record (shared by all processes, WAL mode)
    index/                the tantivy papers index (written by one process only)

Paper writes go to the index first and to SQLite last, inside one SQLite transaction:
if the process dies between the two, SQLite never recorded the papers, so the replayed
event finds them new and indexes them again (replacing, not duplicating). The reverse
order could leave a stored paper that search never finds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final, Literal

from academichub.contracts import Briefing, Match, Paper, Radar
from academichub.radar.ast import Node
from academichub.store.briefer_delegate import DelegatesBrieferState
from academichub.store.embedded.briefer_state import BrieferState
from academichub.store.embedded.database import Database
from academichub.store.embedded.dead_letters import EmbeddedDeadLetters
from academichub.store.embedded.fulltext import FullTextIndex
from academichub.store.embedded.preprint_links import PreprintLinks
from academichub.store.embedded.records import Records
from academichub.store.port import (
    NO_FILTERS,
    OpenWindow,
    PaperWrite,
    PendingItem,
    SearchFilters,
    SearchHit,
    SearchPage,
)

DATABASE_FILE: Final = "academichub.sqlite3"
INDEX_DIR: Final = "index"


class EmbeddedStore(DelegatesBrieferState):
    """The one-machine :class:`~academichub.store.port.Store`.

    Exactly one process opens it with ``index_writer=True`` (the matcher). Papers stored by
    other processes (scaled-out matchers) are queued and indexed by that one in
    :meth:`drain_index_queue`. Every process may use every method, from any thread.
    Raises :class:`~academichub.platform.errors.ConfigError` if another process already
    holds the index writer.
    """

    def __init__(self, data_dir: Path, *, index_writer: bool) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        # The index first: failing on its writer lock must not leave SQLite open.
        self._index = FullTextIndex(data_dir / INDEX_DIR, writer=index_writer)
        try:
            self._db = Database(data_dir / DATABASE_FILE)
            self._records = Records(self._db)
            self._briefer = BrieferState(self._db)
            self._preprints = PreprintLinks(self._db)
            self.dead_letters = EmbeddedDeadLetters(self._db)
            if index_writer:
                self._rebuild_index_if_lost()
        except BaseException:
            self._index.close()
            raise

    def _rebuild_index_if_lost(self) -> None:
        """An empty index beside stored papers was deleted or never written: refill it."""
        if self._index.count() == 0 and self._records.count_papers() > 0:
            self._index.replace(self._records.current_papers())

    # --- papers -------------------------------------------------------------------
    def upsert_papers(self, papers: Sequence[Paper]) -> list[PaperWrite]:
        if not papers:
            return []
        if not self._index.is_writer:
            # A scaled-out matcher: records now, indexing by the writer (drain_index_queue).
            with self._records.write_papers(papers, queue_for_index=True) as batch:
                pass
            return batch.outcomes
        with self._records.write_papers(papers) as batch:
            if batch.to_index:
                self._index.replace(batch.to_index.values())
        return batch.outcomes

    def drain_index_queue(self, limit: int = 500) -> int:
        """Index papers that processes without the index writer stored; return how many.

        Indexing replaces by id, so a crash before the queue entries are removed only
        indexes them again.
        """
        self._index.require_writer()
        queued = self._records.queued_for_index(limit)
        if queued:
            self._index.replace(queued)
            self._records.dequeue_indexed(paper.id for paper, _ in queued)
        return len(queued)

    def get_paper(self, paper_id: str) -> Paper | None:
        return self._records.get_papers([paper_id]).get(paper_id)

    def get_papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        return self._records.get_papers(paper_ids)

    def paper_versions(self, paper_id: str) -> list[int | None]:
        return self._records.paper_versions(paper_id)

    def latest_papers(self, limit: int, offset: int = 0) -> list[Paper]:
        return self._records.latest_papers(limit, offset)

    def count_papers(self) -> int:
        return self._records.count_papers()

    def search(
        self,
        query: Node | None,
        filters: SearchFilters = NO_FILTERS,
        sort: Literal["relevance", "date"] = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        ranked = self._index.search(query, filters, sort, limit, offset)
        papers = self._records.get_papers(paper_id for paper_id, _ in ranked.hits)
        # A hit without a record is a batch indexed but not yet committed to SQLite
        # (or lost with it): it is not a paper yet.
        hits = tuple(SearchHit(papers[i], score) for i, score in ranked.hits if i in papers)
        return SearchPage(total=ranked.total, hits=hits)

    # --- radars -------------------------------------------------------------------
    def put_radar(self, radar: Radar) -> bool:
        return self._records.put_radar(radar)

    def delete_radar(self, radar_id: str) -> bool:
        return self._records.delete_radar(radar_id)

    def get_radar(self, radar_id: str) -> Radar | None:
        return self._records.get_radar(radar_id)

    def list_radars(self, owner: str | None = None) -> list[Radar]:
        return self._records.list_radars(owner)

    # --- matches ------------------------------------------------------------------
    def record_matches(self, matches: Sequence[Match]) -> list[Match]:
        return self._records.record_matches(matches)

    def mark_emitted(self, keys: Iterable[tuple[str, str, int | None]]) -> None:
        self._records.mark_emitted(keys)

    def matches_for_radar(
        self, radar_id: str, since: dt.datetime | None = None, limit: int = 100
    ) -> list[Match]:
        return self._records.matches_for_radar(radar_id, since, limit)

    def matched_versions(self, radar_id: str, paper_id: str) -> set[int | None]:
        return self._records.matched_versions(radar_id, paper_id)

    # --- briefings ----------------------------------------------------------------
    def enqueue_for_briefing(self, match: Match) -> bool:
        return self._records.enqueue_for_briefing(match)

    def open_windows(self) -> list[OpenWindow]:
        return self._records.open_windows()

    def close_window(self, briefing: Briefing, items: Sequence[PendingItem]) -> bool:
        return self._records.close_window(briefing, items)

    def get_briefing(self, briefing_id: str) -> Briefing | None:
        return self._records.get_briefing(briefing_id)

    def briefings_for_radar(self, radar_id: str, limit: int = 50) -> list[Briefing]:
        return self._records.briefings_for_radar(radar_id, limit)

    # --- ingest state -------------------------------------------------------------
    def unpublished(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        return self._records.unpublished(keys)

    def mark_published(self, keys: Iterable[tuple[str, int | None]]) -> None:
        self._records.mark_published(keys)

    def get_cursor(self, source: str) -> dict[str, str] | None:
        return self._records.get_cursor(source)

    def set_cursor(self, source: str, cursor: dict[str, str]) -> None:
        self._records.set_cursor(source, cursor)

    # --- preprint links (PreprintLinkStore) -----------------------------------------
    def remember_preprints(self, papers: Sequence[Paper]) -> None:
        self._preprints.remember_preprints(papers)

    def preprints_for_dois(self, dois: Iterable[str]) -> dict[str, Paper]:
        return self._preprints.preprints_for_dois(dois)

    # --- lifecycle ----------------------------------------------------------------
    def ping(self) -> None:
        self._db.ping()
        self._index.ping()

    def close(self) -> None:
        """Release the index writer (another matcher may then start) and the database."""
        try:
            self._index.close()
        finally:
            self._db.close()
