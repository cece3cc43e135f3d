"""``/api/papers``: search with the radar query language, and one paper with its versions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from academichub.contracts import Paper
from academichub.gateway.auth import paper_reader
from academichub.gateway.deps import ContextDep, SemanticDep, SettingsDep, StoreDep
from academichub.gateway.domain.cursors import BadCursor, decode_cursor, encode_cursor, fingerprint
from academichub.gateway.domain.meaning_query import split_meaning
from academichub.gateway.domain.presentation import marked_html, paper_links
from academichub.gateway.domain.query_text import parse_input
from academichub.gateway.errors import InvalidRequest, NotFound
from academichub.gateway.openapi_doc import errors
from academichub.gateway.paper_search import (
    PaperQuery,
    PaperResults,
    search_papers,
    split_values,
)
from academichub.gateway.params import CURSOR_PATTERN, PublishedFrom, PublishedTo
from academichub.gateway.problems import parameter_problem
from academichub.gateway.schemas import (
    DayCount,
    FacetCount,
    FacetsView,
    PaperItem,
    PaperLinks,
    PaperSearchPage,
    PaperWithLinks,
    SimilarPaper,
    SimilarPapers,
)
from academichub.radar.ast import Node
from academichub.radar.highlight import snippet
from academichub.store.facets import Facets, FacetStore
from academichub.store.port import PaperStore, SearchFilters

# Public, like the home page: a key is optional, but one that is sent must be valid (401).
router = APIRouter(
    prefix="/api/papers",
    tags=["papers"],
    dependencies=[Depends(paper_reader)],
    responses=errors(401, 422, 429, 503),
)

QUERY_HELP = (
    'Radar query language: words, "phrases", prefix*, AND/OR/NOT, -word, (groups), '
    "title:/abstract:/author:/cat:/source:/type: fields. Empty: every paper. "
    '~"free text" searches by meaning (nearest papers first; the rest of the query and the '
    "filters still apply)."
)


def paper_item(paper: Paper, query: Node | None) -> PaperItem:
    return PaperItem(
        id=paper.id,
        version=paper.version,
        title=paper.title,
        source=paper.source,
        categories=list(paper.categories),
        published=paper.published,
        authors=list(paper.authors),
        url=paper.url,
        snippet=marked_html(snippet(paper.abstract, query)),
    )


def search_page(
    papers: PaperStore, facets: FacetStore, request: PaperQuery
) -> tuple[PaperResults, list[PaperItem]]:
    """What ``GET /api/papers`` asks of the store, in one worker-thread hop: the page, its
    facets and the items with their snippets (CPU work, kept off the event loop).
    ``bench search`` calls this too, as the direct side of its comparison."""
    found = search_papers(papers, facets, request)
    return found, [paper_item(hit.paper, request.node) for hit in found.page.hits]


def facets_view(facets: Facets) -> FacetsView:
    return FacetsView(
        sources=[FacetCount(value=v, count=n) for v, n in facets.sources],
        categories=[FacetCount(value=v, count=n) for v, n in facets.categories],
        per_day=[DayCount(date=d, count=n) for d, n in facets.per_day],
    )


@router.get("", summary="Search papers, with facets and a cursor for the next page")
async def search(
    store: StoreDep,
    settings: SettingsDep,
    context: ContextDep,
    semantic: SemanticDep,
    q: Annotated[str | None, Query(max_length=2000, description=QUERY_HELP)] = None,
    source: Annotated[list[str] | None, Query(description="arxiv, medrxiv, journal:*")] = None,
    category: Annotated[list[str] | None, Query(description="e.g. quant-ph, cs.AI")] = None,
    published_from: PublishedFrom = None,
    published_to: PublishedTo = None,
    sort: Literal["relevance", "date"] = "relevance",
    limit: Annotated[int, Query(ge=1, description="Capped at the configured maximum")] = 20,
    cursor: Annotated[
        str | None,
        Query(max_length=200, pattern=CURSOR_PATTERN, description="From next_cursor"),
    ] = None,
    offset: Annotated[
        int, Query(ge=0, description="Where the page starts (at most the configured depth)")
    ] = 0,
    facets: Annotated[bool, Query(description="Count sources, categories, days")] = True,
) -> PaperSearchPage:
    # A malformed query raises QuerySyntaxError, answered as 422 with its position.
    split = split_meaning(q or "")
    rest = split.rest
    node = parse_input(rest, "query parameter 'q'") if rest.strip() else None
    if published_from and published_to and published_from > published_to:
        raise InvalidRequest(
            f"'from' ({published_from}) is after 'to' ({published_to}); swap them",
            problems=[parameter_problem("from", "after 'to'", "after")],
        )
    filters = SearchFilters(
        sources=split_values(source),
        categories=split_values(category),
        published_from=published_from,
        published_to=published_to,
    )
    bound = fingerprint([q or "", filters, sort])
    if cursor is not None:
        try:
            offset = decode_cursor(cursor, bound)
        except BadCursor as exc:
            raise InvalidRequest(
                f"query parameter 'cursor': {exc}",
                problems=[parameter_problem("cursor", str(exc), "cursor")],
            ) from exc
    if offset > settings.max_offset:
        message = f"results past {settings.max_offset} are not paged; narrow the query or the dates"
        raise InvalidRequest(
            f"query parameter 'offset': {message}",
            problems=[
                parameter_problem("offset", message, "less_than_equal", le=settings.max_offset)
            ],
        )
    capped = min(limit, settings.max_api_limit)
    if split.meaning is not None:
        page = await semantic.search(split.meaning, node, filters, capped, offset)
        items = [paper_item(hit.paper, node) for hit in page.hits]
        after = offset + len(items)
        return PaperSearchPage(
            total=page.total,
            items=items,
            facets=None,
            next_cursor=encode_cursor(after, bound) if items and after < page.total else None,
        )
    request = PaperQuery(node, filters, sort, capped, offset, facets)

    found, items = await store.run(lambda s: search_page(s.papers, s.facets, request))
    after = offset + len(items)
    more = bool(items) and after < found.page.total and after <= settings.max_offset
    return PaperSearchPage(
        total=found.page.total,
        items=items,
        facets=facets_view(found.facets) if found.facets else None,
        next_cursor=encode_cursor(after, bound) if more else None,
    )


@router.get(
    "/{paper_id:path}/similar",
    summary="The stored papers nearest in meaning to one paper",
    responses=errors(404),
)
async def similar_papers(
    paper_id: str,
    store: StoreDep,
    semantic: SemanticDep,
    limit: Annotated[int, Query(ge=1, le=50, description="How many")] = 10,
) -> SimilarPapers:
    if await store.run(lambda s: s.papers.get_paper(paper_id)) is None:
        raise NotFound(f"no paper with id {paper_id!r}", paper_id=paper_id)
    found = await semantic.similar(paper_id, limit)
    return SimilarPapers(
        paper_id=paper_id,
        items=[
            SimilarPaper(**paper_item(paper, None).model_dump(), similarity=round(sim, 4))
            for paper, sim in found
        ],
    )


@router.get(
    "/{paper_id:path}",
    summary="One paper, latest version, with versions and links",
    responses=errors(404),
)
async def get_paper(paper_id: str, store: StoreDep) -> PaperWithLinks:
    paper, versions = await store.run(
        lambda s: (s.papers.get_paper(paper_id), s.papers.paper_versions(paper_id))
    )
    if paper is None:
        raise NotFound(
            f"no paper with id {paper_id!r}; ids look like arxiv:2605.31544 or doi:10.1000/xyz",
            paper_id=paper_id,
        )
    return PaperWithLinks.model_validate(
        {
            **paper.model_dump(),
            "versions": versions,
            "links": PaperLinks(**paper_links(paper)),
        }
    )
