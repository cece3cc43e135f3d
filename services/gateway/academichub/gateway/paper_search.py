"""One search as the API and the home page run it: a page of hits plus its facets.

Both run in a single hop to the store's threads (see :mod:`academichub.store.door`): the
page from the store's search, the facets from the facet counter over the same query and
filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from academichub.radar.ast import Node
from academichub.store.facets import Facets, FacetStore
from academichub.store.port import PaperStore, SearchFilters, SearchPage

FACET_CATEGORIES = 20
FACET_DAYS = 30


@dataclass(frozen=True)
class PaperQuery:
    node: Node | None
    filters: SearchFilters
    sort: Literal["relevance", "date"]
    limit: int
    offset: int
    with_facets: bool = True


@dataclass(frozen=True)
class PaperResults:
    page: SearchPage
    facets: Facets | None


def search_papers(papers: PaperStore, facets: FacetStore, query: PaperQuery) -> PaperResults:
    page = papers.search(query.node, query.filters, query.sort, query.limit, query.offset)
    counted = (
        facets.facets(query.node, query.filters, top=FACET_CATEGORIES, days=FACET_DAYS)
        if query.with_facets
        else None
    )
    return PaperResults(page, counted)


def split_values(values: list[str] | None) -> tuple[str, ...]:
    """Accept both ``?source=arxiv&source=medrxiv`` and ``?source=arxiv,medrxiv``."""
    return tuple(v.strip() for raw in values or () for v in raw.split(",") if v.strip())
