"""Facets on Elasticsearch against a hand-checked exchange (tests/fixtures/elastic/facets.json):
one size-0 search with three terms aggregations, read back into the port's counts with the
days of the window filled in. Agreement with counting every paper runs in the contract suite."""

from __future__ import annotations

import datetime as dt

from academichub.radar.parser import parse_query
from academichub.store.elastic import Cluster, ElasticsearchFacets
from academichub.store.elastic.query import facets_body
from academichub.store.port import NO_FILTERS, SearchFilters
from tests.unit.store.test_elastic_replay import replay


def test_facets_are_three_aggregations_of_one_search() -> None:
    with replay("facets") as client:
        facets = ElasticsearchFacets(Cluster(client)).facets(
            parse_query("quantum"), SearchFilters(published_from=dt.date(2026, 6, 1)), top=5, days=3
        )
    assert facets.sources == (("arxiv", 2),)
    assert facets.categories == (("quant-ph", 2), ("cs.IT", 1))
    assert facets.per_day == (
        (dt.date(2026, 6, 10), 1),
        (dt.date(2026, 6, 11), 0),  # filled in: no paper that day
        (dt.date(2026, 6, 12), 1),
    )


def test_sizes_stay_valid_for_empty_windows() -> None:
    # Elasticsearch refuses a terms aggregation of size 0.
    aggs = facets_body(None, NO_FILTERS, top=0, days=0)["aggs"]
    assert [a["terms"]["size"] for a in aggs.values()] == [1000, 1, 1]
