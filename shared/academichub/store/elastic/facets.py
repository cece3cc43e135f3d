"""Facet counts of a search from Elasticsearch aggregations, without reading any paper.

One ``_search`` of the papers alias with ``size: 0`` and three ``terms`` aggregations
(:func:`academichub.store.elastic.query.facets_body`): sources, categories as given, and
the newest published dates. The alias holds current versions only, so counts agree with
search. Near-real-time like search: a paper counts after the next refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from academichub.radar.ast import Node
from academichub.store.elastic.cluster import Cluster
from academichub.store.elastic.query import facets_body
from academichub.store.facets import Facets, day_window, ranked
from academichub.store.port import SearchFilters

_EPOCH: Final = dt.date(1970, 1, 1)
_MS_PER_DAY: Final = 86_400_000


class ElasticsearchFacets:
    """:class:`~academichub.store.facets.FacetStore` over the papers alias of ``cluster``."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster

    def facets(
        self, query: Node | None, filters: SearchFilters, *, top: int = 20, days: int = 30
    ) -> Facets:
        body = facets_body(query, filters, top, days)
        aggregations = self._cluster.search(self._cluster.names.papers, body)["aggregations"]
        return Facets(
            ranked(_counts(aggregations["sources"])),
            ranked(_counts(aggregations["categories"]), top),
            day_window(_per_day(aggregations["days"]), days),
        )


def _counts(aggregation: Mapping[str, Any]) -> list[tuple[str, int]]:
    return [(str(b["key"]), int(b["doc_count"])) for b in aggregation["buckets"]]


def _per_day(aggregation: Mapping[str, Any]) -> dict[dt.date, int]:
    # A date's bucket key is epoch milliseconds of its UTC midnight.
    return {
        _EPOCH + dt.timedelta(days=int(b["key"]) // _MS_PER_DAY): int(b["doc_count"])
        for b in aggregation["buckets"]
    }
