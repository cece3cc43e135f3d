"""The web pages. ``/`` is the curated daily list, and its search box runs the query language.

A malformed query is shown on the page (message, position, a caret under the mistake)
instead of failing the request: a person typed it and should be able to fix it there.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from academichub.contracts import Paper
from academichub.gateway.deps import SettingsDep, StoreDep, TemplatesDep
from academichub.gateway.errors import query_error_fields
from academichub.gateway.presentation import feed_entry
from academichub.radar.ast import Node
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.store.port import Store

router = APIRouter(include_in_schema=False)


def _page_link(request: Request, page: int) -> str:
    # Relative: behind a TLS-terminating proxy an absolute http:// link would be wrong.
    url = request.url.include_query_params(page=page)
    return f"{url.path}?{url.query}"


@router.get("/", response_class=HTMLResponse)
async def home(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=2000)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    size = settings.page_size
    offset = (page - 1) * size
    text = q.strip()
    node: Node | None = None
    query_error: dict[str, Any] | None = None
    if text:
        try:
            node = parse_query(text)
        except QuerySyntaxError as exc:
            query_error = query_error_fields(exc)

    def read(s: Store) -> tuple[list[Paper], int]:
        if query_error is not None:
            return [], 0
        if node is None:
            return s.latest_papers(size, offset), s.count_papers()
        found = s.search(node, sort="relevance", limit=size, offset=offset)
        return [hit.paper for hit in found.hits], found.total

    papers, total = await store.run(read)
    pages = max(1, -(-total // size))
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "q": text,
            "query_error": query_error,
            "entries": [feed_entry(p, offset + i + 1, node) for i, p in enumerate(papers)],
            "total": total,
            "page": page,
            "pages": pages,
            "prev_url": _page_link(request, page - 1) if page > 1 else None,
            "next_url": _page_link(request, page + 1) if page < pages else None,
        },
    )
