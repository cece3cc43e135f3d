"""The public pages: the curated daily list with its search box and filters, one paper,
and the sources' freshness.

A malformed query is shown on the page (message, position, a caret under the mistake)
instead of failing the request: a person typed it and should be able to fix it there.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from academichub.contracts import Paper
from academichub.gateway.auth import Viewer
from academichub.gateway.deps import ContextDep, SettingsDep, StoreDep
from academichub.gateway.domain.meaning_query import split_meaning
from academichub.gateway.domain.presentation import FeedEntry, feed_entry, paper_links, source_name
from academichub.gateway.domain.query_text import query_error_fields
from academichub.gateway.domain.search_hints import Hint, has_cjk, only_stop_words
from academichub.gateway.errors import NotFound
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.paper_search import PaperQuery, PaperResults, search_papers, split_values
from academichub.gateway.params import PageFrom, PageTo
from academichub.gateway.routes.sources import sources_view
from academichub.gateway.web import language, render
from academichub.radar.ast import Node
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.store.port import SearchFilters, SearchPage

router = APIRouter(include_in_schema=False)


def _page_link(request: Request, page: int) -> str:
    url = request.url.include_query_params(page=page)
    return f"{url.path}?{url.query}"


def _filter_link(request: Request, name: str, value: str | None) -> str:
    """This search filtered to ``name=value`` from page 1; the link of the value already
    chosen (or ``value=None``) removes the filter."""
    chosen = request.query_params.getlist(name)
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in (name, "page")]
    if value is not None and value not in chosen:
        params.append((name, value))
    return "/?" + urlencode(params) if params else "/"


@router.get("/", response_class=HTMLResponse)
async def home(
    request: Request,
    viewer: Viewer,
    store: StoreDep,
    settings: SettingsDep,
    context: ContextDep,
    q: Annotated[str, Query(max_length=2000)] = "",
    source: Annotated[list[str] | None, Query()] = None,
    category: Annotated[list[str] | None, Query()] = None,
    published_from: PageFrom = None,
    published_to: PageTo = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    lang = language(request)
    size = settings.page_size
    offset = (page - 1) * size
    text = q.strip()
    node: Node | None = None
    meaning: str | None = None
    query_error: dict[str, Any] | None = None
    if text:
        try:
            split = split_meaning(text)
            meaning = split.meaning
            node = parse_query(split.rest) if split.rest.strip() else None
        except QuerySyntaxError as exc:
            query_error = query_error_fields(exc, lang)
    if published_from and published_to and published_from > published_to:
        published_from, published_to = published_to, published_from  # a person swapped them
    filters = SearchFilters(
        sources=split_values(source),
        categories=split_values(category),
        published_from=published_from,
        published_to=published_to,
    )
    # Past the paging depth only the total is read: the page says how far it goes.
    too_deep = offset > settings.max_offset
    wanted = PaperQuery(
        node,
        filters,
        "relevance" if node else "date",
        0 if too_deep else size,
        min(offset, settings.max_offset),
    )

    by_meaning: SearchPage | None = None
    if meaning is not None and query_error is None and not too_deep:
        by_meaning = await context.semantic.search(meaning, node, filters, size, offset)

    def read(s: GatewayStore) -> tuple[PaperResults, list[FeedEntry], Paper | None]:
        if query_error is not None:
            return PaperResults(SearchPage(0, ()), None), [], None
        if by_meaning is not None:
            found = PaperResults(by_meaning, None)
        else:
            found = search_papers(s.papers, s.facets, wanted)
        # Highlighting is CPU work: done here, on the store's thread, not on the event loop.
        hits = found.page.hits
        entries = [feed_entry(hit.paper, offset + i + 1, node) for i, hit in enumerate(hits)]
        newest = None
        if not hits and (filters.published_from or filters.published_to):
            newest = next(iter(s.papers.latest_papers(1)), None)
        return found, entries, newest

    found, entries, newest = await store.run(read)
    if by_meaning is not None:
        entries = [
            dataclasses.replace(entry, similarity=round(hit.score, 2))
            for entry, hit in zip(entries, by_meaning.hits, strict=True)
        ]
    total = found.page.total
    pages = max(1, -(-total // size))
    reachable = min(pages, settings.max_offset // size + 1)
    facets = found.facets
    dated = bool(filters.published_from or filters.published_to)
    return render(
        request,
        "home.html",
        {
            "q": text,
            "query_error": query_error,
            "entries": entries,
            "total": total,
            "page": page,
            "pages": pages,
            "beyond": page > pages and total > 0,
            "too_deep": too_deep and page <= pages,
            "last_url": _page_link(request, reachable),
            "last_page": reachable,
            "prev_url": _page_link(request, min(page - 1, reachable)) if page > 1 else None,
            "next_url": _page_link(request, page + 1) if page < reachable else None,
            "filtered": bool(filters.sources or filters.categories or dated),
            "clear_url": "/?" + urlencode({"q": text}) if text else "/",
            "date_from": filters.published_from.isoformat() if filters.published_from else "",
            "date_to": filters.published_to.isoformat() if filters.published_to else "",
            "hints": _empty_hints(request, text, node, filters, total, newest)
            if query_error is None
            else [],
            "source_facets": [
                (source_name(v), n, _filter_link(request, "source", v), v in filters.sources)
                for v, n in (facets.sources if facets else ())
            ],
            "category_facets": [
                (v, n, _filter_link(request, "category", v), v in filters.categories)
                for v, n in (facets.categories if facets else ())[:12]
            ],
        },
        viewer=viewer,
    )


def _without(request: Request, *names: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in (*names, "page")]
    return "/?" + urlencode(params) if params else "/"


def _empty_hints(
    request: Request,
    text: str,
    node: Node | None,
    filters: SearchFilters,
    total: int,
    newest: Paper | None,
) -> list[Hint]:
    """Why nothing was found, when it can be told, each with the next step."""
    hints: list[Hint] = []
    if node is not None and only_stop_words(node):
        hints.append(Hint("hint.stop_words", {}))
    if total:
        return hints
    if has_cjk(text):
        hints.append(Hint("hint.cjk", {}))
    if filters.published_from or filters.published_to:
        values = {
            "start": filters.published_from.isoformat() if filters.published_from else "…",
            "end": filters.published_to.isoformat() if filters.published_to else "…",
            "newest": newest.published.isoformat() if newest else "—",
        }
        hints.append(
            Hint("hint.dates", values, _without(request, "from", "to"), "hint.clear_dates")
        )
    if filters.sources or filters.categories:
        hints.append(
            Hint("hint.filters", {}, _without(request, "source", "category"), "home.clear")
        )
    if node is not None and not has_cjk(text):
        hints.append(Hint("hint.broaden", {}))
    return hints


FAVICON = Path(__file__).resolve().parents[1] / "static" / "favicon.ico"


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    # Browsers ask for it at the root; a day of caching spares them asking on every page.
    return FileResponse(
        FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/papers/{paper_id:path}", response_class=HTMLResponse)
async def paper_page(
    request: Request, paper_id: str, viewer: Viewer, store: StoreDep, context: ContextDep
) -> HTMLResponse:
    paper, versions = await store.run(
        lambda s: (s.papers.get_paper(paper_id), s.papers.paper_versions(paper_id))
    )
    if paper is None:
        raise NotFound(f"no paper with id {paper_id!r}", paper_id=paper_id)
    similar = await context.semantic.similar(paper_id)
    return render(
        request,
        "paper.html",
        {
            "paper": paper,
            "entry": feed_entry(paper, 1, None),
            "versions": versions,
            "links": paper_links(paper),
            "similar": [
                (feed_entry(near, i, None), round(sim, 2))
                for i, (near, sim) in enumerate(similar, start=1)
            ],
        },
        viewer=viewer,
    )


@router.get("/sources", response_class=HTMLResponse)
async def sources_page(request: Request, viewer: Viewer, context: ContextDep) -> HTMLResponse:
    view = await sources_view(context)
    # Feeds replayed from the recordings bundled with the project are file:// URLs (the
    # ingestor falls back to them when the network is away, or with ACADEMICHUB_OFFLINE).
    recorded = {s.name for s in view.states if (s.url or "").startswith("file:")}
    # Sources never polled and holding no paper get one line, not a row of dashes each.
    idle = [
        s.name
        for s in view.states
        if s.last_success_at is None and s.last_error_at is None and not s.papers
    ]
    return render(
        request,
        "sources.html",
        {
            "view": view,
            "states": [s for s in view.states if s.name not in idle],
            "idle": idle,
            "offline": context.settings.common.offline or bool(recorded),
            "recorded": recorded,
        },
        viewer=viewer,
    )
