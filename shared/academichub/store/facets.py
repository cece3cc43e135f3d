"""Facet counts of a search: how the matching papers spread over sources, categories and days.

The ``facets`` part of every adapter (:class:`~academichub.store.port.Store`), beside its
``papers``: each adapter counts facets its own way (the embedded store from its tantivy
term dictionary and a date histogram, Elasticsearch with aggregations), and
:class:`ScanFacets` counts them for any paper store by reading every matching paper, which
is exact and fine for the in-memory store of the tests.

Every implementation answers the same thing:

* ``sources`` and ``categories``: (value, number of matching papers), most first, ties by
  value; a paper counts once under each of its categories; at most ``top`` categories;
* ``per_day``: the ``days`` calendar days ending with the newest matching paper's
  published date, oldest first, days without papers included as 0 (empty when nothing
  matches).
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

from academichub.radar.ast import Node
from academichub.store.port import PaperStore, SearchFilters

Counts = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Facets:
    sources: Counts
    categories: Counts
    per_day: tuple[tuple[dt.date, int], ...]


class FacetStore(Protocol):
    def facets(
        self, query: Node | None, filters: SearchFilters, *, top: int = 20, days: int = 30
    ) -> Facets: ...


def ranked(counts: Iterable[tuple[str, int]], top: int | None = None) -> Counts:
    """Most first, ties by value; the first ``top``."""
    ordered = sorted(((v, n) for v, n in counts if n > 0), key=lambda vn: (-vn[1], vn[0]))
    return tuple(ordered if top is None else ordered[:top])


def day_window(per_day: dict[dt.date, int], days: int) -> tuple[tuple[dt.date, int], ...]:
    """The ``days`` days ending with the newest day that has papers, zeros filled in."""
    if not per_day:
        return ()
    last = max(per_day)
    first = last - dt.timedelta(days=days - 1)
    return tuple(
        (day, per_day.get(day, 0)) for day in (first + dt.timedelta(days=i) for i in range(days))
    )


class ScanFacets:
    """Facets of any :class:`PaperStore`, counted over every matching paper.

    Reads the whole result set, so it refuses one larger than ``max_papers`` rather than
    answering slowly or wrongly; the embedded store has its own, index-backed counter.
    """

    MAX_PAPERS: Final = 200_000

    def __init__(self, store: PaperStore, max_papers: int = MAX_PAPERS) -> None:
        self._store = store
        self._max = max_papers

    def facets(
        self, query: Node | None, filters: SearchFilters, *, top: int = 20, days: int = 30
    ) -> Facets:
        found = self._store.search(query, filters, sort="date", limit=self._max)
        if found.total > len(found.hits):
            raise ValueError(
                f"{found.total} papers match; ScanFacets counts at most {self._max}: "
                "use the store's own facet counter"
            )
        sources: collections.Counter[str] = collections.Counter()
        categories: collections.Counter[str] = collections.Counter()
        per_day: collections.Counter[dt.date] = collections.Counter()
        for hit in found.hits:
            paper = hit.paper
            sources[paper.source] += 1
            categories.update(set(paper.categories))
            per_day[paper.published] += 1
        return Facets(
            ranked(sources.items()), ranked(categories.items(), top), day_window(per_day, days)
        )
