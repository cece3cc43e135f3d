"""``/api/radars``: create, read, change and delete radars; their matches and briefings.

Every change is written to the store first (the source of truth) and then announced on
the radars topic as a :class:`RadarChange` keyed by radar id, so the matcher follows
without polling. Revisions grow by one per change; a delete carries the next one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from academichub.contracts import Radar, RadarChange
from academichub.gateway.deps import AnnouncerDep, ClockDep, OwnersDep, SettingsDep, StoreDep
from academichub.gateway.errors import Conflict, NotFound
from academichub.gateway.preview import preview_query
from academichub.gateway.routes.papers import paper_item
from academichub.gateway.schemas import (
    BriefingList,
    DayCount,
    MatchItem,
    MatchList,
    RadarCreate,
    RadarList,
    RadarPreview,
    RadarPreviewRequest,
    RadarUpdate,
)
from academichub.radar.parser import parse_query
from academichub.store.port import Store

router = APIRouter(prefix="/api/radars", tags=["radars"])


def new_radar_id() -> str:
    return "r_" + secrets.token_hex(8)


def _missing(radar_id: str) -> NotFound:
    return NotFound(f"no radar with id {radar_id!r}; GET /api/radars lists them", radar_id=radar_id)


def _upsert(radar: Radar) -> RadarChange:
    return RadarChange(kind="upsert", radar_id=radar.id, revision=radar.revision, radar=radar)


@router.post("", status_code=201, summary="Create a radar")
async def create_radar(
    body: RadarCreate,
    store: StoreDep,
    announcer: AnnouncerDep,
    owners: OwnersDep,
    clock: ClockDep,
) -> Radar:
    parse_query(body.query)  # a malformed query is a 422 naming its position
    now = clock()
    radar = Radar(
        id=new_radar_id(),
        owner=owners.owner_for_new_radar(body.owner),
        name=body.name,
        query=body.query,
        language=body.language,
        schedule=body.schedule,
        revision=1,
        created_at=now,
        updated_at=now,
    )
    if not await store.run(lambda s: s.put_radar(radar)):
        # 64 random bits: a collision means something else is wrong; let the client retry.
        raise Conflict(f"radar id {radar.id} is already taken; send the request again")
    await announcer.announce(_upsert(radar))
    return radar


@router.post("/preview", summary="What a query would have matched, per day, before saving")
async def preview_radar(
    body: RadarPreviewRequest, store: StoreDep, clock: ClockDep
) -> RadarPreview:
    node = parse_query(body.query)  # a malformed query is a 422 naming its position
    today = clock().date()
    found = await store.run(
        lambda s: preview_query(s, node, days=body.days, top=body.top, today=today)
    )
    return RadarPreview(
        query=body.query,
        first_day=found.first_day,
        last_day=found.last_day,
        total=found.total,
        per_day=[DayCount(date=day, count=n) for day, n in found.per_day],
        top=[paper_item(hit.paper, node) for hit in found.top],
    )


@router.get("", summary="List radars")
async def list_radars(
    store: StoreDep,
    owners: OwnersDep,
    owner: Annotated[str | None, Query(description="Only this owner's radars")] = None,
) -> RadarList:
    wanted = owners.owner_filter(owner)
    return RadarList(items=await store.run(lambda s: s.list_radars(wanted)))


@router.get("/{radar_id}", summary="One radar")
async def get_radar(radar_id: str, store: StoreDep) -> Radar:
    radar = await store.run(lambda s: s.get_radar(radar_id))
    if radar is None:
        raise _missing(radar_id)
    return radar


@router.put("/{radar_id}", summary="Change a radar (fields left out keep their value)")
async def update_radar(
    radar_id: str,
    body: RadarUpdate,
    store: StoreDep,
    announcer: AnnouncerDep,
    clock: ClockDep,
) -> Radar:
    if body.query is not None:
        parse_query(body.query)
    changes: dict[str, Any] = body.model_dump(exclude_none=True)

    def write(s: Store) -> tuple[Radar | None, Radar | None]:
        current = s.get_radar(radar_id)
        if current is None:
            return None, None
        updated = Radar.model_validate(
            {
                **current.model_dump(),
                **changes,
                "revision": current.revision + 1,
                "updated_at": clock(),
            }
        )
        return current, updated if s.put_radar(updated) else None

    current, updated = await store.run(write)
    if current is None:
        raise _missing(radar_id)
    if updated is None:
        raise Conflict(
            f"radar {radar_id} changed while this update was applied; fetch it and retry",
            radar_id=radar_id,
        )
    await announcer.announce(_upsert(updated))
    return updated


@router.delete("/{radar_id}", status_code=204, summary="Delete a radar")
async def delete_radar(radar_id: str, store: StoreDep, announcer: AnnouncerDep) -> Response:
    def delete(s: Store) -> Radar | None:
        current = s.get_radar(radar_id)
        return current if current is not None and s.delete_radar(radar_id) else None

    deleted = await store.run(delete)
    if deleted is None:
        raise _missing(radar_id)
    await announcer.announce(
        RadarChange(kind="delete", radar_id=radar_id, revision=deleted.revision + 1)
    )
    return Response(status_code=204)


@router.get("/{radar_id}/matches", summary="A radar's matches, best first, with why")
async def radar_matches(
    radar_id: str,
    store: StoreDep,
    settings: SettingsDep,
    since: Annotated[dt.datetime | None, Query(description="Only matches made since")] = None,
    limit: Annotated[int, Query(ge=1)] = 50,
) -> MatchList:
    capped = min(limit, settings.max_api_limit)

    def read(s: Store) -> list[MatchItem] | None:
        if s.get_radar(radar_id) is None:
            return None
        matches = s.matches_for_radar(radar_id, since=since, limit=capped)
        papers = s.get_papers(m.paper_id for m in matches)
        items = []
        for m in matches:
            paper = papers.get(m.paper_id)
            items.append(
                MatchItem(
                    paper_id=m.paper_id,
                    version=m.version,
                    score=m.score,
                    matched_at=m.matched_at,
                    terms=list(m.terms),
                    title=paper.title if paper else None,
                    source=paper.source if paper else None,
                    published=paper.published if paper else None,
                )
            )
        return items

    items = await store.run(read)
    if items is None:
        raise _missing(radar_id)
    return MatchList(radar_id=radar_id, items=items)


@router.get("/{radar_id}/briefings", summary="A radar's briefings, newest first")
async def radar_briefings(
    radar_id: str,
    store: StoreDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1)] = 20,
) -> BriefingList:
    capped = min(limit, settings.max_api_limit)

    def read(s: Store) -> BriefingList | None:
        if s.get_radar(radar_id) is None:
            return None
        return BriefingList(radar_id=radar_id, items=s.briefings_for_radar(radar_id, capped))

    found = await store.run(read)
    if found is None:
        raise _missing(radar_id)
    return found
