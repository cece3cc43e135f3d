"""The tantivy papers index: one writer process, any number of readers.

tantivy allows one ``IndexWriter`` per index directory (a lock file guards it across
processes). The process opened with ``writer=True`` (the matcher) holds it for its whole
life; every other process only reads. A reader notices the writer's commits by watching
``meta.json``, which tantivy replaces atomically on each commit: each search reads it (a
few kilobytes) and reloads the searcher only when it changed. The index is never
reopened per query.

The index holds ids and search fields only; the records come from SQLite.
"""

from __future__ import annotations

import bisect
import heapq
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, cast

import tantivy

from academichub.contracts import Paper
from academichub.platform.errors import ConfigError
from academichub.radar.analysis import ANALYSIS_VERSION
from academichub.radar.ast import Node
from academichub.store.embedded import index_schema as f
from academichub.store.embedded.tantivy_query import (
    CompiledQueries,
    compile_filters,
    uniform_score,
)
from academichub.store.port import SearchFilters

INDEX_DIR: Final = "index"  # in the data folder

# One indexing thread: the matcher indexes batches of a few hundred papers at most, and
# tantivy needs at least 15 MB of heap per thread.
_WRITER_HEAP_BYTES: Final = 64_000_000
_WRITER_THREADS: Final = 1
# How many hits past the page to fetch at first, and how much more each time the tie at
# the page's last score runs past the hits fetched.
_TIE_MARGIN: Final = 32
_TIE_FETCH_GROWTH: Final = 16
# The smallest window of newest matches examined for a long tie's newest papers.
_MIN_WINDOW: Final = 64
# Beside the index: the analysis version its tokens were made with.
_ANALYSIS_FILE: Final = "analysis-version"


@dataclass(frozen=True)
class RankedIds:
    """One page of index hits: the exact total and (paper id, score) in order."""

    total: int
    hits: tuple[tuple[str, float], ...]


class FullTextIndex:
    def __init__(self, path: Path, *, writer: bool) -> None:
        self.path = path
        self._schema = f.build_schema()
        self._queries = CompiledQueries(self._schema)
        self._lock = threading.Lock()  # guards _index and _stamp (searcher reloads)
        # A separate lock for the writer, so searches go on while a batch commits.
        self._write_lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._stamp: bytes | None = None
        self._closed = False
        path.mkdir(parents=True, exist_ok=True)
        if writer:
            self._index = self._open()
            self._writer = self._acquire_writer(self._index)

    @property
    def is_writer(self) -> bool:
        return self._writer is not None

    def require_writer(self) -> None:
        """Raise unless this process holds the index writer."""
        self._require_writer()

    # --- writing ------------------------------------------------------------------
    def replace(self, papers: Iterable[tuple[Paper, int]]) -> None:
        """Index each (paper, arrival seq), replacing any earlier version; one commit.

        Deleting on the id term first makes the write idempotent: a replayed or newer
        version leaves exactly one document per paper.
        """
        with self._write_lock:
            writer = self._require_writer()
            try:
                for paper, seq in papers:
                    writer.delete_documents_by_term(f.ID, paper.id)
                    writer.add_document(f.to_document(paper, seq))
                writer.commit()
            except BaseException:
                # Drop the half-written batch so the next commit does not publish it.
                writer.rollback()
                raise

    def rebuild(self, papers: Iterable[tuple[Paper, int]]) -> None:
        """Index exactly these (paper, arrival seq), nothing else, in one commit, and mark
        the index as holding the current analysis's tokens."""
        with self._write_lock:
            writer = self._require_writer()
            try:
                writer.delete_all_documents()
                for paper, seq in papers:
                    writer.add_document(f.to_document(paper, seq))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            (self.path / _ANALYSIS_FILE).write_text(f"{ANALYSIS_VERSION}\n")

    def analysed_as_now(self) -> bool:
        """Whether the index holds the tokens of the current analysis: a stem or a token
        rule changed since it was built means every query would compare unlike things."""
        marker = self.path / _ANALYSIS_FILE
        return marker.is_file() and marker.read_text().strip() == str(ANALYSIS_VERSION)

    def count(self) -> int:
        searcher = self._searcher()
        return 0 if searcher is None else int(searcher.num_docs)

    # --- searching ----------------------------------------------------------------
    def search(
        self,
        query: Node | None,
        filters: SearchFilters,
        sort: Literal["relevance", "date"],
        limit: int,
        offset: int,
    ) -> RankedIds:
        searcher = self._searcher()
        if searcher is None:  # no writer has created the index yet: nothing indexed
            return RankedIds(0, ())
        compiled = None if query is None else self._queries.get(query)
        clauses = compile_filters(filters, self._schema)
        if compiled is not None:
            clauses.insert(0, compiled)
        combined = _all_of(clauses)
        limit, offset = max(limit, 0), max(offset, 0)
        # Search filters score nothing, so a query scoring all its matches alike ranks
        # them newest first: relevance order is date order then.
        if compiled is None or sort == "date" or (query is not None and uniform_score(query)):
            return self._newest_first(searcher, combined, compiled, limit, offset)
        return self._most_relevant(searcher, combined, limit, offset)

    def _newest_first(
        self,
        searcher: tantivy.Searcher,
        combined: tantivy.Query,
        scored: tantivy.Query | None,
        limit: int,
        offset: int,
    ) -> RankedIds:
        result = searcher.search(
            combined,
            max(limit, 1),  # tantivy refuses a limit of 0; the count is what is wanted then
            count=True,
            order_by_field=f.RECENCY,
            offset=offset,
            order=tantivy.Order.Desc,
        )
        ids = [_id_of(searcher, address) for _, address in result.hits][:limit]
        scores = self._scores(searcher, scored, ids) if scored is not None else {}
        return RankedIds(_count(result), tuple((i, scores.get(i, 0.0)) for i in ids))

    def _scores(
        self, searcher: tantivy.Searcher, query: tantivy.Query, ids: list[str]
    ) -> dict[str, float]:
        """BM25 scores of the given papers for ``query`` (a date-sorted page still reports
        how well each paper matched)."""
        if not ids:
            return {}
        only_these = tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(self._schema, f.ID, ids), 0.0
        )
        restricted = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, only_these)]
        )
        result = searcher.search(restricted, len(ids))
        return {_id_of(searcher, address): float(score) for score, address in result.hits}

    def _most_relevant(
        self, searcher: tantivy.Searcher, query: tantivy.Query, limit: int, offset: int
    ) -> RankedIds:
        """Best score first, equal scores newest first, then the page.

        tantivy breaks score ties by document address, not by date, so the papers tied
        with the page's last one must all be considered. A small tie is fetched whole: a
        few hits past the page, then 16 times more. A tie still longer than that comes from
        constant-scored leaves (a prefix scores per field), which tie whole classes of
        papers: its newest are found by walking the matches newest first instead
        (:meth:`_newest_scoring`), since fetching and ordering all of it is what costs.
        """
        wanted = offset + limit
        if wanted == 0:
            return RankedIds(_count(searcher.search(query, 1, count=True)), ())
        # More than the page, to see whether the hits after it tie with its last one: small
        # ties then settle in this one search (a bigger top-k heap costs next to nothing).
        fetch = wanted + _TIE_MARGIN
        result = searcher.search(query, fetch, count=True)
        total = _count(result)
        hits = result.hits
        if _tie_runs_on(hits, wanted, total):
            hits = searcher.search(query, min(total, fetch * _TIE_FETCH_GROWTH)).hits
        if _tie_runs_on(hits, wanted, total):
            boundary = hits[wanted - 1][0]
            above = [(score, address) for score, address in hits[:wanted] if score > boundary]
            newest = self._newest_scoring(
                searcher, query, boundary, wanted - len(above), total, len(hits) - len(above)
            )
            ranked = self._by_score_then_date(searcher, above)
            ranked += [(boundary, address) for address in newest]
        elif len(hits) <= wanted:  # every match fetched, at most a page
            ranked = self._by_score_then_date(searcher, hits)
        else:
            boundary = hits[wanted - 1][0]
            tied = next(i for i in range(wanted) if hits[i][0] == boundary)
            # Scores descend: the tie ends at the first lower one (found by bisection).
            end = bisect.bisect_right(hits, -boundary, lo=wanted, key=_negated_score)
            ranked = self._by_score_then_date(searcher, hits[:tied])
            tie = [address for _, address in hits[tied:end]]
            recency = _recency(searcher, tie)
            # nlargest is stable like sorted: equal dates (there are none) keep their order.
            newest_tied = heapq.nlargest(wanted - tied, range(len(tie)), key=recency.__getitem__)
            ranked += [(boundary, tie[i]) for i in newest_tied]
        return RankedIds(
            total,
            tuple((_id_of(searcher, address), float(score)) for score, address in ranked[offset:]),
        )

    @staticmethod
    def _by_score_then_date(
        searcher: tantivy.Searcher, hits: list[tuple[float, tantivy.DocAddress]]
    ) -> list[tuple[float, tantivy.DocAddress]]:
        recency = _recency(searcher, [address for _, address in hits])
        order = sorted(range(len(hits)), key=lambda i: (-hits[i][0], -recency[i]))
        return [hits[i] for i in order]

    def _newest_scoring(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        score: float,
        wanted: int,
        total: int,
        known: int,
    ) -> list[tantivy.DocAddress]:
        """The ``wanted`` newest matches of ``query`` scoring exactly ``score``, newest
        first; ``known``: how many of the ``total`` matches are known to score so.

        Walks the matches newest first, a window at a time: the window's recency range
        restricts the query to exactly its papers (recency is unique per paper), which
        gives their scores in one search. The first window is sized from the tie's known
        share of the matches, so that one usually suffices.
        """
        found: list[tantivy.DocAddress] = []
        start = 0
        window = min(total, max(_MIN_WINDOW, math.ceil(2 * wanted * total / max(known, 1))))
        while len(found) < wanted and start < total:
            newest = searcher.search(
                query, window, order_by_field=f.RECENCY, offset=start, order=tantivy.Order.Desc
            ).hits
            if not newest:
                break
            in_window = tantivy.Query.range_query(
                self._schema,
                f.RECENCY,
                tantivy.FieldType.Integer,
                lower_bound=newest[-1][0],
                upper_bound=newest[0][0],
            )
            restricted = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, query),
                    (tantivy.Occur.Must, tantivy.Query.const_score_query(in_window, 0.0)),
                ]
            )
            tied = [a for s, a in searcher.search(restricted, len(newest)).hits if s == score]
            recency = _recency(searcher, tied)
            found += [tied[i] for i in sorted(range(len(tied)), key=recency.__getitem__)[::-1]]
            start += len(newest)
            window *= _TIE_FETCH_GROWTH
        return found[:wanted]

    # --- lifecycle ----------------------------------------------------------------
    def ping(self) -> None:
        if self._closed:
            raise RuntimeError("the full-text index is closed")
        if not self.path.is_dir():
            raise RuntimeError(f"the full-text index directory {self.path} is missing")

    def close(self) -> None:
        with self._write_lock, self._lock:
            self._closed = True
            writer, self._writer = self._writer, None
            self._index = None
        if writer is not None:
            # Waiting for merges consumes the writer, which releases the directory lock.
            writer.wait_merging_threads()

    # --- internals ----------------------------------------------------------------
    def _open(self) -> tantivy.Index:
        """Open the index, creating it if absent (readers call this only once it exists)."""
        try:
            index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
        except ValueError as exc:
            if "schema does not match" in str(exc):
                raise ConfigError(
                    f"the full-text index at {self.path} was built with another schema; "
                    "stop every AcademicHub process, delete that directory and start the "
                    "matcher: it rebuilds the index from the SQLite records"
                ) from exc
            raise
        # Reloads happen on our schedule (see _searcher), not on a background watcher.
        index.config_reader("manual")
        return index

    def _acquire_writer(self, index: tantivy.Index) -> tantivy.IndexWriter:
        try:
            return index.writer(heap_size=_WRITER_HEAP_BYTES, num_threads=_WRITER_THREADS)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                raise ConfigError(
                    f"another process is already writing the index at {self.path}: with "
                    "the embedded store exactly one matcher may run (the one process "
                    "opened with index_writer=True)"
                ) from exc
            raise

    def _require_writer(self) -> tantivy.IndexWriter:
        if self._closed:
            raise RuntimeError("the full-text index is closed")
        if self._writer is None:
            raise ConfigError(
                f"this store was opened with index_writer=False and cannot write papers: "
                f"only the matcher, opened with index_writer=True, indexes into {self.path}"
            )
        return self._writer

    def _meta_stamp(self) -> bytes | None:
        # The content, not the mtime: two commits within one coarse kernel tick could
        # leave the same mtime and size; the content always differs (its opstamp grows).
        # meta.json is a few kilobytes, so reading it costs microseconds.
        try:
            return (self.path / "meta.json").read_bytes()
        except FileNotFoundError:
            return None

    def _searcher(self) -> tantivy.Searcher | None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the full-text index is closed")
            stamp = self._meta_stamp()
            if stamp is None:
                return None
            if self._index is None:
                self._index = self._open()
            if stamp != self._stamp:
                self._index.reload()
                self._stamp = stamp
            return self._index.searcher()


def _all_of(clauses: list[tantivy.Query]) -> tantivy.Query:
    if not clauses:
        return tantivy.Query.all_query()
    if len(clauses) == 1:
        return clauses[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])


def _id_of(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> str:
    return str(searcher.doc(address)[f.ID][0])


def _count(result: tantivy.SearchResult) -> int:
    # tantivy-py sets ``count`` when searching with count=True; its stub omits it.
    return int(getattr(result, "count", 0) or 0)


def _tie_runs_on(hits: list[tuple[float, tantivy.DocAddress]], wanted: int, total: int) -> bool:
    """Whether matches not fetched may still tie with the page's last hit."""
    return len(hits) < total and hits[-1][0] >= hits[wanted - 1][0]


def _recency(searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress]) -> list[int]:
    values = searcher.fast_field_values(f.RECENCY, addresses) if addresses else []
    # Every document is written with its recency; were one missing, it sorts as oldest.
    return [_as_int(v) for v in values] if None in values else cast(list[int], values)


def _negated_score(hit: tuple[float, tantivy.DocAddress]) -> float:
    return -hit[0]


def _as_int(value: object) -> int:
    return value if isinstance(value, int) else 0
