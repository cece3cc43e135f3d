"""Facet counts from the embedded store's tantivy index, without reading any record.

Sources and categories come from the term dictionary of their exact fields, counted over
the documents the search matches (tantivy walks each term's postings against the query);
papers per day from a date histogram on the ``published`` fast field. Replaced versions
are deleted documents in the index, which both leave out, so counts agree with search.

This reader opens the index directory itself (readers may open it any number of times)
and reloads when the writer commits, as :mod:`.fulltext` does, so the facet counter needs
nothing but the index folder.

Counting runs the query three times (two term walks and the histogram), which costs more
than the search itself, and the same counts are asked for again and again: every page of
a paged search, the home page without a query. So counts are kept per (query, filters,
top, days) until the index changes: a writer's commit changes ``meta.json``, and the
reload that notices it empties the cache, so a cached answer is always what counting
now would give.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Final

import tantivy

from academichub.radar.ast import Node
from academichub.store.embedded import index_schema as f
from academichub.store.embedded.tantivy_query import CompiledQueries, compile_filters
from academichub.store.facets import Facets, day_window, ranked
from academichub.store.port import SearchFilters

_EPOCH: Final = dt.date(1970, 1, 1)


_CacheKey = tuple[Node | None, SearchFilters, int, int]


class EmbeddedFacets:
    """``cache_size``: how many answers to keep for the current index (0: none)."""

    CACHE_SIZE: Final = 512

    def __init__(self, index_dir: Path, cache_size: int = CACHE_SIZE) -> None:
        self._path = index_dir
        self._schema = f.build_schema()
        self._queries = CompiledQueries(self._schema)
        self._lock = threading.Lock()  # guards the index, its stamp and the cache
        self._index: tantivy.Index | None = None
        self._stamp: bytes | None = None
        self._cache_size = cache_size
        self._cache: OrderedDict[_CacheKey, Facets] = OrderedDict()

    def facets(
        self, query: Node | None, filters: SearchFilters, *, top: int = 20, days: int = 30
    ) -> Facets:
        key = (query, filters, top, days)
        searcher, stamp = self._searcher_and_stamp()
        if searcher is None:
            return Facets((), (), ())
        with self._lock:
            cached = self._cache.get(key) if stamp == self._stamp else None
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        counted = self._count(searcher, query, filters, top, days)
        with self._lock:
            # Only if no commit was noticed meanwhile: these counts are of that searcher.
            if self._cache_size > 0 and stamp == self._stamp:
                self._cache[key] = counted
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return counted

    def _count(
        self,
        searcher: tantivy.Searcher,
        query: Node | None,
        filters: SearchFilters,
        top: int,
        days: int,
    ) -> Facets:
        clauses = compile_filters(filters, self._schema)
        if query is not None:
            clauses.insert(0, self._queries.get(query))
        if not clauses:
            matching = tantivy.Query.all_query()
        elif len(clauses) == 1:
            matching = clauses[0]
        else:
            matching = tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])
        sources = searcher.terms_with_prefix(f.SOURCE, "", filter_query=matching)
        categories = searcher.terms_with_prefix(f.CATEGORY_EXACT, "", filter_query=matching)
        histogram = searcher.aggregate(
            matching, {"days": {"date_histogram": {"field": f.PUBLISHED, "fixed_interval": "1d"}}}
        )
        return Facets(
            ranked((str(v), int(n)) for v, n in sources),
            ranked(((str(v), int(n)) for v, n in categories), top),
            day_window(_per_day(histogram), days),
        )

    def _searcher_and_stamp(self) -> tuple[tantivy.Searcher | None, bytes | None]:
        with self._lock:
            try:
                stamp = (self._path / "meta.json").read_bytes()
            except FileNotFoundError:
                return None, None  # the matcher has not created the index yet
            if self._index is None:
                self._index = tantivy.Index(self._schema, path=str(self._path), reuse=True)
                self._index.config_reader("manual")
            if stamp != self._stamp:
                self._index.reload()
                self._stamp = stamp
                self._cache.clear()
            return self._index.searcher(), stamp


def _per_day(result: dict[str, Any]) -> dict[dt.date, int]:
    counts: dict[dt.date, int] = {}
    for bucket in result.get("days", {}).get("buckets", []):
        count = int(bucket.get("doc_count", 0))
        if count:
            # Bucket keys are epoch milliseconds of UTC midnight (the index stores dates so).
            day = _EPOCH + dt.timedelta(days=int(float(bucket["key"]) // 86_400_000))
            counts[day] = count
    return counts
