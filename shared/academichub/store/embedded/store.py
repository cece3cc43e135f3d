"""The embedded store: SQLite records plus a tantivy full-text index in one data folder.

Layout of ``data_dir``::

    academichub.sqlite3   every record (shared by all processes, WAL mode)
    index/                the tantivy papers index (written by one process only)

Each part holds its own SQL on the one :class:`Database` (and the papers part the index
as well): :mod:`.papers`, :mod:`.radars`, :mod:`.matches`, :mod:`.briefings`,
:mod:`.vectors`, :mod:`.ingest`, :mod:`.briefer_state`, :mod:`.accounts`, :mod:`.delivery`,
:mod:`.dead_letters`, :mod:`.corpus`; the facet
counter (:mod:`.facets`) reads the index folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from academichub.store.embedded.accounts import EmbeddedAccountStore
from academichub.store.embedded.briefer_state import EmbeddedBrieferState
from academichub.store.embedded.briefings import EmbeddedBriefings
from academichub.store.embedded.corpus import EmbeddedCorpus
from academichub.store.embedded.database import DATABASE_FILE, Database
from academichub.store.embedded.dead_letters import EmbeddedDeadLetters
from academichub.store.embedded.delivery import EmbeddedDelivery
from academichub.store.embedded.facets import EmbeddedFacets
from academichub.store.embedded.fulltext import INDEX_DIR, FullTextIndex
from academichub.store.embedded.ingest import EmbeddedIngestState
from academichub.store.embedded.matches import EmbeddedMatches
from academichub.store.embedded.papers import EmbeddedPapers
from academichub.store.embedded.radars import EmbeddedRadars
from academichub.store.embedded.vectors import EmbeddedVectors


class EmbeddedStore:
    """The one-machine :class:`~academichub.store.port.Store`.

    Exactly one process opens it with ``index_writer=True`` (the matcher). Papers stored by
    other processes (scaled-out matchers) are queued and indexed by that one
    (``papers.drain_index_queue``). Every process may use every part, from any thread.
    Raises :class:`~academichub.platform.errors.ConfigError` if another process already
    holds the index writer. ``facet_cache`` is how many facet answers are kept per index
    commit (0: none).
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        index_writer: bool,
        facet_cache: int = EmbeddedFacets.CACHE_SIZE,
    ) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        # The index first: failing on its writer lock must not leave SQLite open.
        self._index = FullTextIndex(data_dir / INDEX_DIR, writer=index_writer)
        self._db: Database | None = None
        try:
            self._db = Database(data_dir / DATABASE_FILE)
            self.papers = EmbeddedPapers(self._db, self._index)
            self.facets = EmbeddedFacets(data_dir / INDEX_DIR, cache_size=facet_cache)
            self.radars = EmbeddedRadars(self._db)
            self.matches = EmbeddedMatches(self._db)
            self.briefings = EmbeddedBriefings(self._db)
            self.vectors = EmbeddedVectors(self._db)
            self.ingest = EmbeddedIngestState(self._db)
            self.briefer = EmbeddedBrieferState(self._db)
            self.accounts = EmbeddedAccountStore(self._db)
            self.delivery = EmbeddedDelivery(self._db)
            self.dead_letters = EmbeddedDeadLetters(self._db)
            self.corpus = EmbeddedCorpus(self._db)
            if index_writer:
                self.papers.rebuild_index_if_lost()
        except BaseException:
            self.close()
            raise

    def ping(self) -> None:
        if self._db is None:
            raise RuntimeError(f"the store at {self.data_dir} did not open")
        self._db.ping()
        self._index.ping()

    def close(self) -> None:
        """Release the index writer (another matcher may then start) and the database."""
        try:
            self._index.close()
        finally:
            if self._db is not None:
                self._db.close()


if TYPE_CHECKING:
    from academichub.store.port import Store

    def _implements_the_port(store: EmbeddedStore) -> Store:
        return store
