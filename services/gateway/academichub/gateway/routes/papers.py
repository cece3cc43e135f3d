"""``/api/papers``: search with the radar query language, and one paper with its versions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from academichub.contracts import Paper
from academichub.gateway.deps import SettingsDep, StoreDep
from academichub.gateway.errors import InvalidRequest, NotFound
from academichub.gateway.presentation import marked_html
from academichub.gateway.schemas import PaperDetail, PaperItem, PaperPage
from academichub.radar.ast import Node
from academichub.radar.highlight import snippet
from academichub.radar.parser import parse_query
from academichub.store.port import SearchFilters

router = APIRouter(prefix="/api/papers", tags=["papers"])

QUERY_HELP = (
    'Radar query language: words, "phrases", prefix*, AND/OR/NOT, -word, (groups), '
    "title:/abstract:/author:/cat:/source:/type: fields. Empty: every paper."
)


def _split(values: list[str] | None) -> tuple[str, ...]:
    # Accept both ?source=arxiv&source=medrxiv and ?source=arxiv,medrxiv.
    return tuple(v.strip() for raw in values or () for v in raw.split(",") if v.strip())


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


@router.get("", summary="Search papers")
async def search_papers(
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str | None, Query(max_length=2000, description=QUERY_HELP)] = None,
    source: Annotated[list[str] | None, Query(description="arxiv, medrxiv, journal:*")] = None,
    category: Annotated[list[str] | None, Query(description="e.g. quant-ph, cs.AI")] = None,
    published_from: Annotated[dt.date | None, Query(alias="from")] = None,
    published_to: Annotated[dt.date | None, Query(alias="to")] = None,
    sort: Literal["relevance", "date"] = "relevance",
    limit: Annotated[int, Query(ge=1, description="Capped at the configured maximum")] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> PaperPage:
    # A malformed query raises QuerySyntaxError, answered as 422 with its position.
    node = parse_query(q) if q and q.strip() else None
    if published_from and published_to and published_from > published_to:
        raise InvalidRequest(
            f"'from' ({published_from}) is after 'to' ({published_to}); swap them",
            details=[{"location": "query parameter 'from'", "message": "after 'to'"}],
        )
    filters = SearchFilters(
        sources=_split(source),
        categories=_split(category),
        published_from=published_from,
        published_to=published_to,
    )
    capped = min(limit, settings.max_api_limit)
    page = await store.run(
        lambda s: s.search(node, filters, sort=sort, limit=capped, offset=offset)
    )
    return PaperPage(total=page.total, items=[paper_item(hit.paper, node) for hit in page.hits])


@router.get("/{paper_id:path}", summary="One paper, latest version, with its version history")
async def get_paper(paper_id: str, store: StoreDep) -> PaperDetail:
    found = await store.run(lambda s: (s.get_paper(paper_id), s.paper_versions(paper_id)))
    paper, versions = found
    if paper is None:
        raise NotFound(
            f"no paper with id {paper_id!r}; ids look like arxiv:2605.31544 or doi:10.1000/xyz",
            paper_id=paper_id,
        )
    return PaperDetail.model_validate({**paper.model_dump(), "versions": versions})
