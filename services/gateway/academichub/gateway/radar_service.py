"""Radar operations for a caller, shared by the JSON API and the web pages.

Every operation first finds the radar *as the caller may see it*: a radar owned by
someone else is reported exactly like a missing one (:class:`NotFound`), checked inside
the same store call that reads or writes it. Changes are written to the store with their
announcement (an outbox: :mod:`academichub.gateway.announce`) and then announced on the
radars topic as a :class:`RadarChange`, so the matcher follows without polling; a change
the broker did not take is relayed later, the request succeeds. Revisions grow by one per
change; a delete carries the next one.

A radar created with an idempotency key (``Idempotency-Key``) is created once per key and
caller for as long as the key is remembered: a retry gets the same radar back
(:class:`Created` says it is a replay), the same key with another request is refused
(:class:`KeyReused`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError

from academichub.contracts import Briefing, BriefingSchedule, Match, Paper, Radar, RadarChange
from academichub.contracts.events import MAX_RATINGS, Language
from academichub.gateway.announce import RadarAnnouncer
from academichub.gateway.domain.owners import NOBODY, OwnerPolicy, OwnershipRefused
from academichub.gateway.domain.principal import Principal
from academichub.gateway.domain.query_text import parse_input
from academichub.gateway.errors import Conflict, Forbidden, InvalidRequest, NotFound
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.problems import Problem
from academichub.gateway.semantic import Ranked, SemanticService
from academichub.store.accounts import Feedback
from academichub.store.door import AsyncStore
from academichub.store.port import BackfillMark, OpenWindow, RequestKey

IDEMPOTENCY_HEADER = "Idempotency-Key"

DEFAULT_PER_DAY: Final = 3.0


def new_radar_id() -> str:
    return "r_" + secrets.token_hex(8)


def _id_taken(radar: Radar) -> Conflict:
    # 64 random bits: a collision means something else is wrong; let the client retry.
    return Conflict(f"radar id {radar.id} is already taken; send the request again")


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


class KeyReused(InvalidRequest):
    """The idempotency key was used for a different request: 422 naming the header."""

    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Created:
    radar: Radar
    replayed: bool  # made by an earlier request with the same idempotency key


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's ``Idempotency-Key`` for one request, with what the request asked
    (compared on a retry) and how long the key is remembered."""

    key: str
    request: Mapping[str, Any]
    ttl: dt.timedelta

    def fingerprint(self) -> str:
        canonical = json.dumps(self.request, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _upsert(radar: Radar) -> RadarChange:
    return RadarChange(kind="upsert", radar_id=radar.id, revision=radar.revision, radar=radar)


@dataclass(frozen=True)
class MatchView:
    match: Match
    paper: Paper | None
    score: float | None = None  # as the radar ranks it now (None: as matched)
    kind: str | None = None

    @property
    def shown_score(self) -> float:
        return self.match.score if self.score is None else self.score

    @property
    def shown_kind(self) -> str:
        return self.kind or self.match.score_kind


def ratings_of(feedback: Sequence[Feedback]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The papers a radar's ratings like and dislike: each paper's newest verdict (by
    anyone who may rate it), the newest :data:`MAX_RATINGS` of each."""
    verdicts: dict[str, str] = {}
    for item in sorted(feedback, key=lambda f: f.at, reverse=True):
        verdicts.setdefault(item.paper_id, item.verdict)
    liked = tuple(p for p, v in verdicts.items() if v == "up")[:MAX_RATINGS]
    disliked = tuple(p for p, v in verdicts.items() if v == "down")[:MAX_RATINGS]
    return liked, disliked


def nothing_to_match() -> InvalidRequest:
    return InvalidRequest(
        "a radar needs a query, seed papers or a described interest",
        problems=[
            Problem(
                "body field 'query'",
                "give a query, or seed papers or a described interest",
                "query",
                "missing",
                {},
            )
        ],
    )


def _invalid_radar(exc: ValidationError) -> InvalidRequest:
    problems = [
        Problem(
            "body field '" + ".".join(str(p) for p in e["loc"]) + "'" if e["loc"] else "body",
            str(e["msg"]).removeprefix("Value error, "),
            ".".join(str(p) for p in e["loc"]),
            str(e["type"]),
            {},
        )
        for e in exc.errors()
    ]
    return InvalidRequest(
        "the radar is not valid: " + "; ".join(p.message for p in problems), problems=problems
    )


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
    """A radar's page: the latest briefings, one page of matches (newest first, or best
    first by its model once it learned: ``ranked_by`` ratings), its window."""

    radar: Radar
    briefings: list[Briefing]
    matches: list[MatchView]
    total: int
    capped: bool
    window: OpenWindow | None
    ranked_by: int | None = field(default=None)
    backfill: BackfillMark | None = field(default=None)  # the radar's last finished backfill


class RadarService:
    def __init__(
        self,
        store: AsyncStore[GatewayStore],
        announcer: RadarAnnouncer,
        owners: OwnerPolicy,
        clock: Callable[[], dt.datetime],
        semantic: SemanticService,
    ) -> None:
        self._store = store
        self._announcer = announcer
        self._owners = owners
        self._clock = clock
        self._semantic = semantic

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
        query: str = "",
        language: Language = "zh",
        schedule: BriefingSchedule | None = None,
        owner: str | None = None,
        seeds: Sequence[str] = (),
        references: str | None = None,
        interest: str | None = None,
        per_day: float | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> Created:
        if query.strip():
            parse_input(query, "body field 'query'")  # a 422 naming its position
        try:
            owner_id = self._owners.owner_for_new_radar(caller, owner)
        except OwnershipRefused as exc:
            raise Forbidden(str(exc)) from exc
        found = await self._seeds(seeds, references)
        semantic = bool(found) or bool(interest)
        if not query.strip() and not semantic:
            raise nothing_to_match()
        now = self._clock()
        try:
            radar = Radar(
                id=new_radar_id(),
                owner=owner_id,
                name=name,
                query=query,
                seeds=tuple(found),
                interest=interest or None,
                per_day=(per_day or DEFAULT_PER_DAY) if semantic else per_day,
                language=language,
                schedule=schedule or BriefingSchedule(),
                revision=1,
                created_at=now,
                updated_at=now,
            )
        except ValidationError as exc:
            raise _invalid_radar(exc) from exc
        radar = await self._semantic.settle(radar)
        if idempotency is None:
            if not await self._store.run(lambda s: s.radars.put_radar(radar)):
                raise _id_taken(radar)
            await self._announcer.announce(_upsert(radar))
            return Created(radar, replayed=False)
        request = RequestKey(
            scope=caller.user.id,
            key=idempotency.key,
            fingerprint=idempotency.fingerprint(),
            expires_at=now + idempotency.ttl,
        )
        keyed = await self._store.run(lambda s: s.radars.put_radar_once(radar, request, now))
        if keyed is None:
            raise _id_taken(radar)
        if not keyed.same_request:
            raise KeyReused(
                f"header '{IDEMPOTENCY_HEADER}': the key {idempotency.key!r} was used for a "
                f"different request (radar {keyed.radar.id}); send a new key for a new radar",
                radar_id=keyed.radar.id,
            )
        if keyed.created:
            await self._announcer.announce(_upsert(radar))
        # A replay announces nothing: the first request's change is in the outbox.
        return Created(keyed.radar, replayed=not keyed.created)

    async def _seeds(self, seeds: Sequence[str], references: str | None) -> list[str]:
        if not seeds and not (references and references.strip()):
            return []
        return await self._semantic.resolve_seeds(seeds, references)

    async def update(self, caller: Principal, radar_id: str, changes: dict[str, Any]) -> Radar:
        """``changes``: fields to replace (an empty dict re-announces the radar); raw
        ``seeds`` and ``references`` are looked up and together replace the seeds; an
        empty ``query`` or ``interest`` removes it."""
        changes = dict(changes)
        if changes.get("query"):
            parse_input(changes["query"], "body field 'query'")
        if "seeds" in changes or "references" in changes:
            changes["seeds"] = tuple(
                await self._seeds(changes.pop("seeds", None) or (), changes.pop("references", None))
            )
        if changes.get("interest") == "":
            changes["interest"] = None
        current = await self.get(caller, radar_id)
        now = self._clock()
        merged = {**current.model_dump(), **changes}
        if not str(merged["query"]).strip() and not merged["seeds"] and not merged["interest"]:
            raise nothing_to_match()
        if (merged["seeds"] or merged["interest"]) and merged.get("per_day") is None:
            merged["per_day"] = DEFAULT_PER_DAY
        try:
            updated = Radar.model_validate(
                {**merged, "revision": current.revision + 1, "updated_at": now}
            )
        except ValidationError as exc:
            raise _invalid_radar(exc) from exc
        updated = await self._semantic.settle(updated)

        def write(s: GatewayStore) -> tuple[Radar | None, bool]:
            stored = self._visible(s, caller, radar_id)
            if stored is None or stored.revision != current.revision:
                return stored, False
            return stored, s.radars.put_radar(updated)

        stored, written = await self._store.run(write)
        if stored is None:
            raise missing_radar(radar_id)
        if not written:
            raise Conflict(
                f"radar {radar_id} changed while this update was applied; fetch it and retry",
                radar_id=radar_id,
            )
        await self._announcer.announce(_upsert(updated))
        return updated

    async def learn(self, caller: Principal, radar_id: str, feedback: Sequence[Feedback]) -> Radar:
        """Give the radar the papers its ratings like and dislike (it learns from the
        second rating with a 👎 on; its threshold is chosen again in the new units)."""
        liked, disliked = ratings_of(feedback)
        current = await self.get(caller, radar_id)
        if (current.liked, current.disliked) == (liked, disliked):
            return current
        return await self.update(caller, radar_id, {"liked": liked, "disliked": disliked})

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
        """The radar's best matches: by its profile now when it is semantic or learned,
        else by the score they were matched with."""
        radar = await self.get(caller, radar_id)
        read = limit if not (radar.semantic or radar.ratings) else MATCHES_READ
        found = await self._store.run(
            lambda s: s.matches.matches_for_radar(radar_id, since=since, limit=read)
        )
        ranked = await self._semantic.ranked(radar, found)
        chosen = (
            _ranked_views(ranked) if ranked is not None else [MatchView(m, None) for m in found]
        )
        chosen = chosen[:limit]
        papers = await self._store.run(
            lambda s: s.papers.get_papers(v.match.paper_id for v in chosen)
        )
        return radar, [
            MatchView(v.match, papers.get(v.match.paper_id), v.score, v.kind) for v in chosen
        ]

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

        radar = await self.get(caller, radar_id)
        found = await self._store.run(
            lambda s: s.matches.matches_for_radar(radar_id, limit=MATCHES_READ)
        )
        ranked = await self._semantic.ranked(radar, found) if radar.ratings else None
        learned = ranked is not None and any(r.kind == "learned" for r in ranked)
        if ranked is not None and learned:
            views = _ranked_views(ranked)
        else:
            found.sort(key=lambda m: (m.matched_at, m.score), reverse=True)
            views = [MatchView(m, None) for m in found]
        chosen = views[(page - 1) * size : page * size]

        def read(s: GatewayStore) -> RadarPage:
            papers = s.papers.get_papers(v.match.paper_id for v in chosen)
            window = next((w for w in s.briefings.open_windows() if w.radar_id == radar_id), None)
            return RadarPage(
                radar,
                s.briefings.briefings_for_radar(radar_id, briefings),
                [MatchView(v.match, papers.get(v.match.paper_id), v.score, v.kind) for v in chosen],
                len(found),
                len(found) >= MATCHES_READ,
                window,
                radar.ratings if learned else None,
                s.matches.backfill_mark(radar_id),
            )

        return await self._store.run(read)

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


def _ranked_views(ranked: list[Ranked]) -> list[MatchView]:
    return [MatchView(r.match, None, r.score, r.kind) for r in ranked]
