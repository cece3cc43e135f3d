"""``/api/radars``: a caller's radars — create, read, change, delete, preview — with their
matches, briefings and feedback. Ownership is decided in :mod:`..radar_service`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AwareDatetime
from starlette.convertors import StringConvertor, register_url_convertor

from academichub.contracts import Briefing, Radar
from academichub.gateway.auth import Caller, api_caller
from academichub.gateway.deps import AccountsDep, ClockDep, RadarsDep, SettingsDep, StoreDep
from academichub.gateway.errors import NotFound
from academichub.gateway.openapi_doc import errors
from academichub.gateway.preview import preview_query
from academichub.gateway.query_text import parse_input, query_reading, query_warnings
from academichub.gateway.routes.papers import paper_item
from academichub.gateway.schemas import (
    BriefingList,
    DayCount,
    FeedbackItem,
    FeedbackList,
    FeedbackRequest,
    MatchItem,
    MatchList,
    QueryWarningView,
    RadarCreate,
    RadarList,
    RadarPreview,
    RadarPreviewRequest,
    RadarUpdate,
    schedule_of,
)
from academichub.gateway.web import requested_language
from academichub.radar.highlight import fired_words
from academichub.store.accounts import AccountStore, Feedback


class RadarIdConvertor(StringConvertor):
    """A radar id at the end of a path, never the word ``preview``: ``/api/radars/preview``
    is the preview (POST only), so a GET there is a 405 naming POST, not a missing radar."""

    regex = r"(?!preview$)[A-Za-z0-9_-]{1,64}"


# Registered where the routes using it are defined: Starlette compiles a path's
# convertors when the route is created.
register_url_convertor("radar_id", RadarIdConvertor())

# Every route needs a key or a signed-in session (401), spends its rate budget (429) and
# reads the store (503 while it is away); unsafe methods check the session's CSRF (403).
router = APIRouter(
    prefix="/api/radars",
    tags=["radars"],
    dependencies=[Depends(api_caller)],
    responses=errors(401, 422, 429, 503),
)
briefings_router = APIRouter(
    prefix="/api/briefings",
    tags=["radars"],
    dependencies=[Depends(api_caller)],
    responses=errors(401, 404, 422, 429, 503),
)


@router.post(
    "",
    status_code=201,
    summary="Create a radar (owned by the caller)",
    responses=errors(403, 409),
)
async def create_radar(body: RadarCreate, caller: Caller, radars: RadarsDep) -> Radar:
    return await radars.create(
        caller,
        name=body.name,
        query=body.query,
        language=body.language,
        schedule=schedule_of(body.schedule),
        owner=body.owner,
    )


@router.post(
    "/preview",
    summary="What a query would have matched, per day, before saving; how it was read",
    responses=errors(403),
)
async def preview_radar(
    request: Request, body: RadarPreviewRequest, store: StoreDep, clock: ClockDep
) -> RadarPreview:
    """``reading`` spells out every operator and group; ``warnings`` name the traps
    (lower-case operators taken as words, a NOT that binds only its neighbour), in the
    language Accept-Language asks for (English otherwise)."""
    node = parse_input(body.query, "body field 'query'")  # 422 naming its position
    lang = requested_language(request.headers) or "en"
    today = clock().date()
    found = await store.run(
        lambda s: preview_query(s, node, days=body.days, top=body.top, today=today)
    )
    return RadarPreview(
        query=body.query,
        reading=query_reading(node),
        warnings=[
            QueryWarningView(code=w.code, message=w.message)
            for w in query_warnings(body.query, node, lang)
        ],
        first_day=found.first_day,
        last_day=found.last_day,
        total=found.total,
        per_day=[DayCount(date=day, count=n) for day, n in found.per_day],
        top=[paper_item(hit.paper, node) for hit in found.top],
    )


@router.get("", summary="List your radars (admins: everyone's, or one owner's)")
async def list_radars(
    caller: Caller,
    radars: RadarsDep,
    owner: Annotated[str | None, Query(description="Only this owner's radars")] = None,
) -> RadarList:
    return RadarList(items=await radars.listing(caller, owner))


@router.get("/{radar_id:radar_id}", summary="One radar", responses=errors(404))
async def get_radar(radar_id: str, caller: Caller, radars: RadarsDep) -> Radar:
    return await radars.get(caller, radar_id)


@router.put(
    "/{radar_id:radar_id}",
    summary="Change a radar (fields left out keep their value)",
    responses=errors(403, 404, 409),
)
async def update_radar(
    radar_id: str, body: RadarUpdate, caller: Caller, radars: RadarsDep
) -> Radar:
    changes = body.model_dump(exclude_none=True, exclude={"schedule"})
    if body.schedule is not None:
        changes["schedule"] = schedule_of(body.schedule)
    return await radars.update(caller, radar_id, changes)


@router.delete(
    "/{radar_id:radar_id}",
    status_code=204,
    summary="Delete a radar",
    responses=errors(403, 404),
)
async def delete_radar(radar_id: str, caller: Caller, radars: RadarsDep) -> Response:
    await radars.delete(caller, radar_id)
    return Response(status_code=204)


@router.get(
    "/{radar_id}/matches",
    summary="A radar's matches, best first, with why",
    responses=errors(404),
)
async def radar_matches(
    radar_id: str,
    caller: Caller,
    radars: RadarsDep,
    settings: SettingsDep,
    since: Annotated[
        AwareDatetime | None,
        Query(description="Only matches made since (a time with its zone: …Z or +08:00)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, description="Capped at the configured maximum")] = 50,
) -> MatchList:
    _, views = await radars.matches(caller, radar_id, since, min(limit, settings.max_api_limit))
    return MatchList(
        radar_id=radar_id,
        items=[
            MatchItem(
                paper_id=v.match.paper_id,
                version=v.match.version,
                score=v.match.score,
                matched_at=v.match.matched_at,
                terms=list(v.match.terms),
                why=list(fired_words(v.paper, v.match.terms)) if v.paper else [],
                title=v.paper.title if v.paper else None,
                source=v.paper.source if v.paper else None,
                published=v.paper.published if v.paper else None,
            )
            for v in views
        ],
    )


@router.get(
    "/{radar_id}/briefings", summary="A radar's briefings, newest first", responses=errors(404)
)
async def radar_briefings(
    radar_id: str,
    caller: Caller,
    radars: RadarsDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, description="Capped at the configured maximum")] = 20,
) -> BriefingList:
    found = await radars.briefings(caller, radar_id, min(limit, settings.max_api_limit))
    return BriefingList(radar_id=radar_id, items=found)


@briefings_router.get("/{briefing_id}", summary="One briefing")
async def get_briefing(briefing_id: str, caller: Caller, radars: RadarsDep) -> Briefing:
    briefing, _, _ = await radars.briefing(caller, briefing_id)
    return briefing


@router.post(
    "/{radar_id}/feedback",
    summary="👍/👎 on a paper the radar matched",
    responses=errors(403, 404),
)
async def give_feedback(
    radar_id: str,
    body: FeedbackRequest,
    caller: Caller,
    radars: RadarsDep,
    store: StoreDep,
    accounts: AccountsDep,
    clock: ClockDep,
) -> FeedbackList:
    await radars.get(caller, radar_id)
    if await store.run(lambda s: s.papers.get_paper(body.paper_id)) is None:
        raise NotFound(f"no paper with id {body.paper_id!r}", paper_id=body.paper_id)
    now = clock()

    def record(a: AccountStore) -> list[Feedback]:
        if body.verdict == "none":
            a.delete_feedback(radar_id, body.paper_id, caller.user.id)
        else:
            a.put_feedback(Feedback(radar_id, body.paper_id, caller.user.id, body.verdict, now))
        return a.feedback_for_radar(radar_id)

    return _feedback_list(radar_id, await accounts.run(record))


@router.get(
    "/{radar_id}/feedback",
    summary="The feedback given on a radar's matches",
    responses=errors(404),
)
async def list_feedback(
    radar_id: str, caller: Caller, radars: RadarsDep, accounts: AccountsDep
) -> FeedbackList:
    await radars.get(caller, radar_id)
    return _feedback_list(radar_id, await accounts.run(lambda a: a.feedback_for_radar(radar_id)))


def _feedback_list(radar_id: str, found: list[Feedback]) -> FeedbackList:
    return FeedbackList(
        radar_id=radar_id,
        items=[
            FeedbackItem(paper_id=f.paper_id, verdict=f.verdict, user_id=f.user_id, at=f.at)
            for f in found
        ],
    )
