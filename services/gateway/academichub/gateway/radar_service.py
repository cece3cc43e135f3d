"""Radar operations for a caller, shared by the JSON API and the web pages.

Every operation first finds the radar *as the caller may see it*: a radar owned by
someone else is reported exactly like a missing one (:class:`NotFound`), checked inside
the same store call that reads or writes it. Changes are written to the store first (the
source of truth) and then announced on the radars topic as a :class:`RadarChange`, so
the matcher follows without polling. Revisions grow by one per change; a delete carries
the next one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from academichub.contracts import Briefing, BriefingSchedule, Match, Paper, Radar, RadarChange
from academichub.contracts.events import Language
from academichub.gateway.announce import RadarAnnouncer
from academichub.gateway.errors import Conflict, Forbidden, NotFound
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.owners import NOBODY, OwnerPolicy, OwnershipRefused
from academichub.gateway.principal import Principal
from academichub.gateway.query_text import parse_input
from academichub.store.door import AsyncStore
from academichub.store.port import OpenWindow


def new_radar_id() -> str:
    return "r_" + secrets.token_hex(8)


def missing_radar(radar_id: str) -> NotFound:
    return NotFound(
        f"no radar with id {radar_id!r}; GET /api/radars lists yours", radar_id=radar_id
    )


def missing_briefing(briefing_id: str) -> NotFound:
    return NotFound(
        f"no briefing with id {briefing_id!r}; GET /api/radars/{{id}}/briefings lists a "
        "radar's briefings",
        briefing_id=briefing_id,
    )


def _upsert(radar: Radar) -> RadarChange:
    return RadarChange(kind="upsert", radar_id=radar.id, revision=radar.revision, radar=radar)


@dataclass(frozen=True)
class MatchView:
    match: Match
    paper: Paper | None


# Matches read to page a radar newest first, or to count its week. The store orders a
# radar's matches by score and has no count, so a page reads up to this many and sorts
# them by time; a radar with more shows the newest of its best this many (and says so).
MATCHES_READ = 5000


@dataclass(frozen=True)
class RadarSummary:
    """A radar as the list shows it: its week's matches, its last briefing, its window."""

    radar: Radar
    week_matches: list[Match]
    latest: Briefing | None
    window: OpenWindow | None


@dataclass(frozen=True)
class RadarPage:
    """A radar's page: the latest briefings, one page of matches newest first, its window."""

    radar: Radar
    briefings: list[Briefing]
    matches: list[MatchView]
    total: int
    capped: bool
    window: OpenWindow | None


class RadarService:
    def __init__(
        self,
        store: AsyncStore[GatewayStore],
        announcer: RadarAnnouncer,
        owners: OwnerPolicy,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._store = store
        self._announcer = announcer
        self._owners = owners
        self._clock = clock

    def _visible(self, s: GatewayStore, caller: Principal, radar_id: str) -> Radar | None:
        radar = s.radars.get_radar(radar_id)
        return radar if radar is not None and self._owners.may_see(caller, radar.owner) else None

    async def get(self, caller: Principal, radar_id: str) -> Radar:
        radar = await self._store.run(lambda s: self._visible(s, caller, radar_id))
        if radar is None:
            raise missing_radar(radar_id)
        return radar

    async def listing(self, caller: Principal, owner: str | None = None) -> list[Radar]:
        wanted = self._owners.owner_filter(caller, owner)
        if wanted == NOBODY:
            return []
        return await self._store.run(lambda s: s.radars.list_radars(wanted))

    async def create(
        self,
        caller: Principal,
        *,
        name: str,
        query: str,
        language: Language = "zh",
        schedule: BriefingSchedule | None = None,
        owner: str | None = None,
    ) -> Radar:
        parse_input(query, "body field 'query'")  # a 422 naming its position
        try:
            owner_id = self._owners.owner_for_new_radar(caller, owner)
        except OwnershipRefused as exc:
            raise Forbidden(str(exc)) from exc
        now = self._clock()
        radar = Radar(
            id=new_radar_id(),
            owner=owner_id,
            name=name,
            query=query,
            language=language,
            schedule=schedule or BriefingSchedule(),
            revision=1,
            created_at=now,
            updated_at=now,
        )
        if not await self._store.run(lambda s: s.radars.put_radar(radar)):
            # 64 random bits: a collision means something else is wrong; let the client retry.
            raise Conflict(f"radar id {radar.id} is already taken; send the request again")
        await self._announcer.announce(_upsert(radar))
        return radar

    async def update(self, caller: Principal, radar_id: str, changes: dict[str, Any]) -> Radar:
        """``changes``: fields to replace (an empty dict re-announces the radar)."""
        if changes.get("query") is not None:
            parse_input(changes["query"], "body field 'query'")
        now = self._clock()

        def write(s: GatewayStore) -> tuple[Radar | None, Radar | None]:
            current = self._visible(s, caller, radar_id)
            if current is None:
                return None, None
            updated = Radar.model_validate(
                {
                    **current.model_dump(),
                    **changes,
                    "revision": current.revision + 1,
                    "updated_at": now,
                }
            )
            return current, updated if s.radars.put_radar(updated) else None

        current, updated = await self._store.run(write)
        if current is None:
            raise missing_radar(radar_id)
        if updated is None:
            raise Conflict(
                f"radar {radar_id} changed while this update was applied; fetch it and retry",
                radar_id=radar_id,
            )
        await self._announcer.announce(_upsert(updated))
        return updated

    async def delete(self, caller: Principal, radar_id: str) -> None:
        def delete(s: GatewayStore) -> Radar | None:
            current = self._visible(s, caller, radar_id)
            return current if current is not None and s.radars.delete_radar(radar_id) else None

        deleted = await self._store.run(delete)
        if deleted is None:
            raise missing_radar(radar_id)
        await self._announcer.announce(
            RadarChange(kind="delete", radar_id=radar_id, revision=deleted.revision + 1)
        )

    async def matches(
        self, caller: Principal, radar_id: str, since: dt.datetime | None, limit: int
    ) -> tuple[Radar, list[MatchView]]:
        def read(s: GatewayStore) -> tuple[Radar, list[MatchView]] | None:
            radar = self._visible(s, caller, radar_id)
            if radar is None:
                return None
            found = s.matches.matches_for_radar(radar_id, since=since, limit=limit)
            papers = s.papers.get_papers(m.paper_id for m in found)
            return radar, [MatchView(m, papers.get(m.paper_id)) for m in found]

        result = await self._store.run(read)
        if result is None:
            raise missing_radar(radar_id)
        return result

    async def summaries(
        self, caller: Principal, week_start: Callable[[Radar], dt.datetime]
    ) -> list[RadarSummary]:
        """The caller's radars with what the list shows; ``week_start`` says from when a
        radar's week counts (its own time zone)."""
        wanted = self._owners.owner_filter(caller, None)

        def read(s: GatewayStore) -> list[RadarSummary]:
            radars = s.radars.list_radars(wanted)
            windows = {w.radar_id: w for w in s.briefings.open_windows()} if radars else {}
            return [
                RadarSummary(
                    radar,
                    s.matches.matches_for_radar(
                        radar.id, since=week_start(radar), limit=MATCHES_READ
                    ),
                    next(iter(s.briefings.briefings_for_radar(radar.id, 1)), None),
                    windows.get(radar.id),
                )
                for radar in radars
            ]

        return await self._store.run(read)

    async def page(
        self, caller: Principal, radar_id: str, *, page: int, size: int, briefings: int
    ) -> RadarPage:
        """Page ``page`` (from 1) of the radar's matches, newest first, ``size`` a page,
        and its ``briefings`` latest briefings."""

        def read(s: GatewayStore) -> RadarPage | None:
            radar = self._visible(s, caller, radar_id)
            if radar is None:
                return None
            found = s.matches.matches_for_radar(radar_id, limit=MATCHES_READ)
            found.sort(key=lambda m: (m.matched_at, m.score), reverse=True)
            chosen = found[(page - 1) * size : page * size]
            papers = s.papers.get_papers(m.paper_id for m in chosen)
            window = next((w for w in s.briefings.open_windows() if w.radar_id == radar_id), None)
            return RadarPage(
                radar,
                s.briefings.briefings_for_radar(radar_id, briefings),
                [MatchView(m, papers.get(m.paper_id)) for m in chosen],
                len(found),
                len(found) >= MATCHES_READ,
                window,
            )

        result = await self._store.run(read)
        if result is None:
            raise missing_radar(radar_id)
        return result

    async def briefings(self, caller: Principal, radar_id: str, limit: int) -> list[Briefing]:
        def read(s: GatewayStore) -> list[Briefing] | None:
            if self._visible(s, caller, radar_id) is None:
                return None
            return s.briefings.briefings_for_radar(radar_id, limit)

        found = await self._store.run(read)
        if found is None:
            raise missing_radar(radar_id)
        return found

    async def briefing(
        self, caller: Principal, briefing_id: str
    ) -> tuple[Briefing, Radar, dict[str, Paper]]:
        """A briefing the caller may see, its radar, and the papers it covers."""

        def read(s: GatewayStore) -> tuple[Briefing, Radar, dict[str, Paper]] | None:
            briefing = s.briefings.get_briefing(briefing_id)
            radar = self._visible(s, caller, briefing.radar_id) if briefing else None
            if briefing is None or radar is None:
                return None
            return briefing, radar, s.papers.get_papers(briefing.paper_ids)

        found = await self._store.run(read)
        if found is None:
            raise missing_briefing(briefing_id)
        return found
