"""``/api/radars``: a caller's radars — create, read, change, delete, preview — with their
matches, briefings and feedback. Ownership is decided in :mod:`..radar_service`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import AwareDatetime
from starlette.convertors import StringConvertor, register_url_convertor

from academichub.contracts import Briefing, Paper, Radar
from academichub.gateway.auth import Caller, api_caller
from academichub.gateway.deps import (
    AccountsDep,
    ClockDep,
    RadarsDep,
    SemanticDep,
    SettingsDep,
    StoreDep,
)
from academichub.gateway.domain.query_text import parse_input, query_reading, query_warnings
from academichub.gateway.errors import InvalidRequest, NotFound
from academichub.gateway.openapi_doc import errors
from academichub.gateway.preview import preview_query
from academichub.gateway.problems import Problem
from academichub.gateway.radar_service import DEFAULT_PER_DAY, IDEMPOTENCY_HEADER, IdempotencyKey
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
    ScoredPaper,
    SemanticPreviewView,
    schedule_of,
)
from academichub.gateway.web import requested_language
from academichub.radar.ast import Node
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


# Printable ASCII without spaces at the ends, as the IETF draft's examples are (UUIDs).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~][ -~]{0,253}[!-~]$|^[!-~]$"


@router.post(
    "",
    status_code=201,
    summary="Create a radar (owned by the caller)",
    responses=errors(403, 409),
)
async def create_radar(
    body: RadarCreate,
    caller: Caller,
    radars: RadarsDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            description="Any unique string (a UUID) that makes a retried request safe: "
            "the first request with a key creates the radar, a retry with the same key "
            "and the same body gets that radar back (201, with the header "
            "`Idempotent-Replayed: true`) instead of a second one. Keys are the caller's "
            "own and are remembered for `GATEWAY_IDEMPOTENCY_KEY_HOURS` (24 h by "
            "default); the same key with a different body is a 422 "
            "(`idempotency_key_reused`).",
            min_length=1,
            max_length=255,
            pattern=IDEMPOTENCY_KEY_PATTERN,
        ),
    ] = None,
) -> Radar:
    """A radar has a query, semantic parts (``seeds``, ``references``, ``interest``, with
    ``per_day``), or both: a paper matches when its query holds and, for a semantic radar,
    its meaning clears the threshold that gives about ``per_day`` papers a day."""
    idempotency = None
    if idempotency_key is not None:
        idempotency = IdempotencyKey(
            idempotency_key,
            body.model_dump(mode="json"),
            dt.timedelta(hours=settings.idempotency_key_hours),
        )
    created = await radars.create(
        caller,
        name=body.name,
        query=body.query,
        language=body.language,
        schedule=schedule_of(body.schedule),
        owner=body.owner,
        seeds=body.seeds,
        references=body.references,
        interest=body.interest,
        per_day=body.per_day,
        idempotency=idempotency,
    )
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return created.radar


@router.post(
    "/preview",
    summary="What a query would have matched, per day, before saving; how it was read",
    responses=errors(403),
)
async def preview_radar(
    request: Request,
    body: RadarPreviewRequest,
    store: StoreDep,
    clock: ClockDep,
    semantic: SemanticDep,
    caller: Caller,
    settings: SettingsDep,
) -> RadarPreview:
    """``reading`` spells out every operator and group; ``warnings`` name the traps
    (lower-case operators taken as words, a NOT that binds only its neighbour), in the
    language Accept-Language asks for (English otherwise). With seeds or an interest,
    ``semantic`` gives the threshold "about ``per_day`` a day" chooses, and the counts are
    what query and meaning would have caught together over the last 30 days."""
    node = parse_input(body.query, "body field 'query'") if body.query.strip() else None
    lang = requested_language(request.headers) or "en"
    reading = query_reading(node) if node is not None else ""
    warnings = [
        QueryWarningView(code=w.code, message=w.message)
        for w in (query_warnings(body.query, node, lang) if node is not None else [])
    ]
    seeds = await semantic.resolve_seeds(body.seeds, body.references)
    if seeds or body.interest:
        per_day = body.per_day or DEFAULT_PER_DAY
        sketch = Radar(
            id="preview",
            owner=caller.user.id,
            name="preview",
            query=body.query,
            seeds=tuple(seeds),
            interest=body.interest or None,
            per_day=per_day,
            created_at=clock(),
            updated_at=clock(),
        )
        found = await semantic.preview(sketch, top=body.top)
        return RadarPreview(
            query=body.query,
            reading=reading,
            warnings=warnings,
            semantic=SemanticPreviewView(
                per_day=per_day,
                threshold=found.threshold,
                kind="learned" if found.kind == "learned" else "similarity",
                seeds=seeds,
                waiting=list(found.waiting),
            ),
            first_day=found.first_day,
            last_day=found.last_day,
            total=found.total,
            per_day=[DayCount(date=day, count=n) for day, n in found.per_day],
            top=[scored(paper, node, score) for paper, score in found.top],
        )
    if node is None:
        raise InvalidRequest(
            "a radar needs a query, seed papers or a described interest",
            problems=[Problem("body field 'query'", "empty", "query", "missing", {})],
        )
    today = clock().date()
    days = body.days or settings.common.radar_backfill_days
    keyword = await store.run(
        lambda s: preview_query(s, node, days=days, top=body.top, today=today)
    )
    return RadarPreview(
        query=body.query,
        reading=reading,
        warnings=warnings,
        semantic=None,
        first_day=keyword.first_day,
        last_day=keyword.last_day,
        total=keyword.total,
        per_day=[DayCount(date=day, count=n) for day, n in keyword.per_day],
        top=[scored(hit.paper, node, hit.score) for hit in keyword.top],
    )


def scored(paper: Paper, node: Node | None, score: float) -> ScoredPaper:
    return ScoredPaper(**paper_item(paper, node).model_dump(), score=round(score, 4))


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
    if changes.get("query") == "":
        changes["query"] = ""  # an empty query removes it (a semantic radar keeps matching)
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
    summary="A radar's matches, best first (by its model once it learned), with why",
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
                score=round(v.shown_score, 6),
                score_kind="learned"
                if v.shown_kind == "learned"
                else "similarity"
                if v.shown_kind == "similarity"
                else "keyword",
                matched_at=v.match.matched_at,
                terms=list(v.match.terms),
                why=list(fired_words(v.paper, v.match.terms)) if v.paper else [],
                nearest=list(v.match.nearest),
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

    given = await accounts.run(record)
    await radars.learn(caller, radar_id, given)  # from the second rating, it learns
    return _feedback_list(radar_id, given)


@router.delete(
    "/{radar_id}/feedback",
    summary="Forget every 👍/👎 on a radar: it stops ranking by what it learned",
    responses=errors(403, 404),
)
async def reset_feedback(
    radar_id: str, caller: Caller, radars: RadarsDep, accounts: AccountsDep
) -> FeedbackList:
    await radars.get(caller, radar_id)
    await accounts.run(lambda a: forget_feedback(a, radar_id))
    await radars.learn(caller, radar_id, [])
    return _feedback_list(radar_id, [])


def forget_feedback(accounts: AccountStore, radar_id: str) -> None:
    for item in accounts.feedback_for_radar(radar_id):
        accounts.delete_feedback(radar_id, item.paper_id, item.user_id)


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
