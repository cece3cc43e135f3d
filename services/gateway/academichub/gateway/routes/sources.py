"""``/api/sources``: how fresh each source is, and when arXiv announces next."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends

from academichub.gateway.auth import Caller, api_caller
from academichub.gateway.deps import ContextDep
from academichub.gateway.openapi_doc import errors
from academichub.gateway.schemas import ArxivSchedule, SourceFreshness, SourcesReport, UserView
from academichub.gateway.sources_report import SourcesView, read_sources

router = APIRouter(
    prefix="/api",
    tags=["sources"],
    dependencies=[Depends(api_caller)],
    responses=errors(401, 429, 503),
)


async def sources_view(context: ContextDep) -> SourcesView:
    now = context.clock()
    configured = context.settings.sources
    return await context.store.run(
        lambda s: read_sources(s, s.facets, configured, context.calendar, now)
    )


@router.get("/sources", summary="Each source's freshness and the next arXiv announcement")
async def sources(context: ContextDep) -> SourcesReport:
    view = await sources_view(context)
    return SourcesReport(
        checked_at=view.checked_at,
        sources=[SourceFreshness(**asdict(state)) for state in view.states],
        arxiv=ArxivSchedule(
            latest_listing=view.latest.listing_day,
            latest_released_at=view.latest.released_at,
            next_listing=view.upcoming.listing_day,
            next_release_at=view.upcoming.released_at,
        ),
    )


@router.get("/me", summary="Who this key or session belongs to")
async def me(caller: Caller) -> UserView:
    user = caller.user
    return UserView(id=user.id, name=user.name, email=user.email, is_admin=user.is_admin)
