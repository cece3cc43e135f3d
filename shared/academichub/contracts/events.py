"""Versioned event models: what travels on the topics and what the store keeps.

Every event is a frozen pydantic model with an explicit ``schema_version``. A consumer
that meets an unknown version or an invalid payload treats it as poison (see
:mod:`academichub.contracts.topics`), never as a crash.

The canonical paper follows ARCHITECTURE.md exactly; the other shapes are ours.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import typing
from collections.abc import Iterator
from typing import Annotated, Any, Final, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PAPER_ID_RE = re.compile(r"^(arxiv:([a-z][a-z.-]*/\d{7}|\d{4}\.\d{4,5})|doi:10\.\d{4,9}/\S+)$")
RADAR_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

AnnounceType = Literal["new", "cross", "replace", "replace-cross"]
Language = Literal["zh", "en"]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def schema_versions(event: type[BaseModel]) -> tuple[int, ...]:
    """The ``schema_version`` values an event type reads, oldest first: the ``Literal`` of
    its field. A new version of an event adds to it, so older events stay decodable (their
    new fields take their defaults); the field's default is the version written."""
    annotation = event.model_fields["schema_version"].annotation
    versions = typing.get_args(annotation)
    if not versions or not all(isinstance(v, int) for v in versions):
        raise TypeError(f"{event.__name__}.schema_version is not a Literal of integers")
    return tuple(sorted(versions))


def canonical_paper_id(value: str) -> str:
    """``value`` if it is a canonical paper id, else a ValueError saying what one is."""
    if not PAPER_ID_RE.match(value):
        raise ValueError(
            f"paper id {value!r} is not canonical: expected 'arxiv:<id>' without version "
            "or 'doi:<lower-case doi>'"
        )
    if value.startswith("doi:") and value != value.lower():
        raise ValueError(f"paper id {value!r}: DOIs are lower-cased in ids")
    return value


class Paper(_Event):
    """The canonical paper, the value of every ``papers`` event."""

    schema_version: Literal[1] = 1
    id: str
    version: Annotated[int, Field(ge=1)] | None
    source: str
    announce_type: AnnounceType | None = None
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    published: dt.date
    doi: str | None = None
    journal_ref: str | None = None
    url: str | None = None
    pdf_url: str | None = None
    license: str | None = None

    @field_validator("id")
    @classmethod
    def _canonical_id(cls, value: str) -> str:
        return canonical_paper_id(value)

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value in {"arxiv", "medrxiv", "biorxiv"} or re.fullmatch(r"journal:[a-z0-9-]+", value):
            return value
        raise ValueError(f"source {value!r} must be arxiv, medrxiv, biorxiv or journal:<slug>")

    @field_validator("title")
    @classmethod
    def _has_title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a paper needs a non-empty title")
        return value

    @property
    def key(self) -> tuple[str, int | None]:
        """(id, version): the unit that is published, stored and matched once."""
        return (self.id, self.version)


@functools.cache
def time_zone_names() -> frozenset[str]:
    """Every IANA zone name this host knows (the tzdata package guarantees the set)."""
    return frozenset(available_timezones())


def known_time_zone(value: str) -> str:
    """``value`` if it names an IANA time zone, else a ValueError saying so. Checked
    against the list, not by opening it: "Asia" is a folder of the database, not a zone."""
    if value not in time_zone_names():
        raise ValueError(f"time zone {value!r} is not an IANA name such as Asia/Shanghai or UTC")
    return value


class BriefingSchedule(_Event):
    """When a radar's briefing window closes.

    ``every_n`` closes after ``n`` matched papers; ``daily`` at ``hour``:00 and ``weekly``
    on ``weekday`` (0 = Monday) at ``hour``:00, both on the wall clock of ``timezone``
    (an IANA name; 07:00 in Asia/Shanghai stays 07:00 there, whatever UTC says). The
    briefer may also close a window after its configured maximum age.
    :meth:`next_close` is the one rule that says when: the briefer closes windows by it,
    and the gateway shows the next briefing by it.
    """

    kind: Literal["daily", "weekly", "every_n"] = "daily"
    hour: Annotated[int, Field(ge=0, le=23)] = 7
    n: Annotated[int, Field(ge=1, le=1000)] | None = None
    weekday: Annotated[int, Field(ge=0, le=6)] = 0
    timezone: Annotated[str, Field(min_length=1, max_length=64)] = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_time_zone(value)

    @model_validator(mode="after")
    def _n_for_every_n(self) -> BriefingSchedule:
        if self.kind == "every_n" and self.n is None:
            raise ValueError("schedule 'every_n' needs n")
        return self

    def next_close(self, opened_at: dt.datetime) -> dt.datetime | None:
        """When a daily or weekly window opened at ``opened_at`` closes, in UTC: the first
        ``hour``:00 (on ``weekday`` for weekly) in ``timezone`` strictly after it. None for
        every_n, which closes on a count. A naive ``opened_at`` is read as UTC."""
        if self.kind == "every_n":
            return None
        aware = opened_at if opened_at.tzinfo is not None else opened_at.replace(tzinfo=dt.UTC)
        zone = ZoneInfo(self.timezone)
        local = aware.astimezone(zone)
        # Wall-clock arithmetic: the day is stepped on the calendar, then the hour set in
        # the zone, so a daylight-saving change moves the UTC time, not the local one.
        day = local.date()
        if self.kind == "weekly":
            day += dt.timedelta(days=(self.weekday - day.weekday()) % 7)
        step = dt.timedelta(days=7 if self.kind == "weekly" else 1)
        while True:
            close = dt.datetime.combine(day, dt.time(self.hour), tzinfo=zone)
            if close > aware:
                return close.astimezone(dt.UTC)
            day += step


# Bounds of a radar's semantic parts: a Zotero library of seeds fits, an event stays small.
MAX_SEEDS: Final = 500
MAX_RATINGS: Final = 2000
MAX_INTEREST_CHARS: Final = 2000
MAX_PER_DAY: Final = 1000.0

PaperId = Annotated[str, Field(max_length=300)]


class Radar(_Event):
    """A researcher's standing interest. ``revision`` grows with every change.

    A radar has a ``query`` (the radar language; "" for none), semantic parts, or both:

    * ``seeds`` -- stored papers it is about (canonical ids), and ``interest`` -- the
      interest described in free text: a radar with either is **semantic**, and a paper
      matches it when its query (if any) holds and its meaning scores at least
      ``threshold``;
    * ``per_day`` -- about how many papers a day the researcher wants: a semantic radar's
      threshold is chosen from it over the last 30 days (``threshold`` holds the one chosen
      when the radar was last saved, in the units of its score: a cosine, or a logit once
      it learned; None before any paper had a vector);
    * ``liked`` / ``disliked`` -- the papers rated 👍 and 👎 on it: from the second rating
      with a 👎 the radar **learns** (:func:`academichub.semantic.profile.learns`), and its
      model orders its matches -- a keyword radar too, whose query still decides them.

    Version 2 added the semantic parts; a version 1 radar reads as a keyword radar.
    """

    schema_version: Literal[1, 2] = 2
    id: str
    owner: str
    name: str
    query: str = ""
    seeds: Annotated[tuple[PaperId, ...], Field(max_length=MAX_SEEDS)] = ()
    interest: Annotated[str, Field(min_length=1, max_length=MAX_INTEREST_CHARS)] | None = None
    per_day: Annotated[float, Field(gt=0, le=MAX_PER_DAY)] | None = None
    threshold: float | None = None
    liked: Annotated[tuple[PaperId, ...], Field(max_length=MAX_RATINGS)] = ()
    disliked: Annotated[tuple[PaperId, ...], Field(max_length=MAX_RATINGS)] = ()
    language: Language = "zh"
    schedule: BriefingSchedule = BriefingSchedule()
    revision: Annotated[int, Field(ge=1)] = 1
    created_at: dt.datetime
    updated_at: dt.datetime

    @field_validator("id")
    @classmethod
    def _radar_id(cls, value: str) -> str:
        if not RADAR_ID_RE.match(value):
            raise ValueError(f"radar id {value!r} must be 1-64 of [A-Za-z0-9_-]")
        return value

    @field_validator("seeds", "liked", "disliked")
    @classmethod
    def _paper_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for paper_id in value:
            canonical_paper_id(paper_id)
        if len(set(value)) != len(value):
            raise ValueError("a paper is listed twice")
        return value

    @field_validator("threshold")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("a threshold is a finite number")
        return value

    @model_validator(mode="after")
    def _semantic_parts_agree(self) -> Radar:
        # A radar with neither query nor meaning matches nothing (the gateway refuses to
        # make one; a tool may hold one, as `academichub brief` does).
        if self.semantic and self.per_day is None:
            raise ValueError("a semantic radar says about how many papers a day it wants")
        both = sorted(set(self.liked) & set(self.disliked))
        if both:
            raise ValueError(f"papers both liked and disliked: {both}")
        return self

    @property
    def semantic(self) -> bool:
        """Whether meaning decides its matches (it has seeds or a described interest)."""
        return bool(self.seeds) or self.interest is not None

    @property
    def has_query(self) -> bool:
        return bool(self.query.strip())

    @property
    def ratings(self) -> int:
        return len(self.liked) + len(self.disliked)


class RadarChange(_Event):
    """The value of a ``radars`` event: a radar was created/updated (upsert) or deleted.

    Consumers apply a change only if its revision is newer than what they hold, so the
    topic can be replayed from the start any number of times.
    """

    schema_version: Literal[1] = 1
    kind: Literal["upsert", "delete"]
    radar_id: str
    revision: Annotated[int, Field(ge=1)]
    radar: Radar | None = None

    @model_validator(mode="after")
    def _radar_matches_kind(self) -> RadarChange:
        if self.kind == "upsert":
            if self.radar is None:
                raise ValueError("an upsert carries the radar")
            if self.radar.id != self.radar_id or self.radar.revision != self.revision:
                raise ValueError("radar_id/revision disagree with the radar they carry")
        elif self.radar is not None:
            raise ValueError("a delete carries no radar")
        return self


class MatchedTerm(_Event):
    """One reason a paper matched: the field and the (analysed) term that fired."""

    field: str
    term: str


MatchOrigin = Literal["live", "backfill"]


class NearestPaper(_Event):
    """A reference paper of the radar (a seed or a liked paper) near the matched paper."""

    paper_id: str
    similarity: float  # cosine of the two papers' embeddings


ScoreKind = Literal["keyword", "similarity", "learned"]


class Match(_Event):
    """The value of a ``matches`` event: paper (id, version) matched radar ``radar_id``.

    ``score`` orders a radar's matches and its briefing's papers; ``score_kind`` says what
    it is: ``keyword`` the query's BM25 score, ``similarity`` the cosine to the radar's
    meaning, ``learned`` the probability of a 👍 by the radar's model. ``terms`` are the
    query terms that fired, ``nearest`` the radar's reference papers nearest to this one.
    ``origin`` says how it was found: ``live`` as the paper arrived, ``backfill`` among the
    stored papers of the recent days when the radar was created or its query changed
    (shown as found on saving, not as new). Version 2 added ``score_kind`` and ``nearest``;
    ``origin`` came later with a default, so an event without it reads as live.
    """

    schema_version: Literal[1, 2] = 2
    radar_id: str
    paper_id: str
    version: int | None
    score: float
    score_kind: ScoreKind = "keyword"
    terms: tuple[MatchedTerm, ...] = ()
    nearest: tuple[NearestPaper, ...] = ()
    matched_at: dt.datetime
    origin: MatchOrigin = "live"

    @property
    def key(self) -> tuple[str, str, int | None]:
        return (self.radar_id, self.paper_id, self.version)


class RadarMatch(_Event):
    """One radar's match inside a :class:`PaperMatches` event (a :class:`Match` without
    what the group says once)."""

    radar_id: str
    score: float
    score_kind: ScoreKind = "keyword"
    terms: tuple[MatchedTerm, ...] = ()
    nearest: tuple[NearestPaper, ...] = ()


# A group stays far below the 1 MiB an event may have (a match is ~100-300 bytes).
MAX_GROUP_MATCHES: Final = 2000


class PaperMatches(_Event):
    """The value of a ``matches`` event since version 3: the matches of one paper version,
    found in one pass, for radars whose key falls on one partition of ``matches`` (the key
    is one of those radar ids, so the group lands where each of its radars' single events
    would). A burst of papers is thousands of events, not hundreds of thousands.

    Versions 1 and 2 (one :class:`Match` per event) are still read: such an event is read
    as a group of one (:meth:`each` gives it back as it was). Each match carries what a
    version-2 match carries (its score's kind, the terms that fired, the radar's nearest
    reference papers); ``origin`` (:class:`Match`'s) is the group's: live matching and a
    radar's backfill each find their own groups. Absent, it reads as live.
    """

    schema_version: Literal[1, 2, 3] = 3
    paper_id: str
    version: int | None
    matched_at: dt.datetime
    matches: Annotated[tuple[RadarMatch, ...], Field(min_length=1, max_length=MAX_GROUP_MATCHES)]
    origin: MatchOrigin = "live"

    @model_validator(mode="before")
    @classmethod
    def _one_match(cls, data: Any) -> Any:
        """A version-1 or -2 event (one match) as a group of one (written again as version
        3)."""
        if isinstance(data, dict) and data.get("schema_version") in (1, 2):
            single = Match.model_validate(data)
            return {
                "schema_version": 3,
                "paper_id": single.paper_id,
                "version": single.version,
                "matched_at": single.matched_at,
                "origin": single.origin,
                "matches": [
                    {
                        "radar_id": single.radar_id,
                        "score": single.score,
                        "score_kind": single.score_kind,
                        "terms": single.terms,
                        "nearest": single.nearest,
                    }
                ],
            }
        return data

    def each(self) -> Iterator[Match]:
        """The group's matches one by one."""
        for match in self.matches:
            yield Match(
                radar_id=match.radar_id,
                paper_id=self.paper_id,
                version=self.version,
                score=match.score,
                score_kind=match.score_kind,
                terms=match.terms,
                nearest=match.nearest,
                matched_at=self.matched_at,
                origin=self.origin,
            )


class Theme(_Event):
    title: str
    synthesis: str
    paper_ids: tuple[str, ...]


class Connection(_Event):
    """A cross-domain finding linking papers from different fields."""

    finding: str
    fields: tuple[str, ...]
    paper_ids: tuple[str, ...]


class NotablePaper(_Event):
    paper_id: str
    reason: str


class PaperTldr(_Event):
    paper_id: str
    tldr: str


class Briefing(_Event):
    """The value of a ``briefings`` event: one briefing per (radar, window).

    ``paper_ids`` lists every paper of the window; every citation inside cites only those.
    ``omitted_paper_ids`` lists window papers that did not fit the budget (never silent).
    """

    schema_version: Literal[1] = 1
    id: str
    radar_id: str
    window: Annotated[int, Field(ge=1)]
    language: Language
    provider: str
    model: str | None = None
    degraded: bool = False
    degraded_reason: str | None = None
    overview: str
    themes: tuple[Theme, ...] = ()
    connections: tuple[Connection, ...] = ()
    notable: tuple[NotablePaper, ...] = ()
    tldrs: tuple[PaperTldr, ...] = ()
    paper_ids: tuple[str, ...]
    omitted_paper_ids: tuple[str, ...] = ()
    window_opened_at: dt.datetime
    window_closed_at: dt.datetime
    created_at: dt.datetime

    @model_validator(mode="after")
    def _cites_only_window(self) -> Briefing:
        window = set(self.paper_ids)
        cited: list[str] = []
        for theme in self.themes:
            cited.extend(theme.paper_ids)
        for conn in self.connections:
            cited.extend(conn.paper_ids)
        cited.extend(n.paper_id for n in self.notable)
        cited.extend(t.paper_id for t in self.tldrs)
        outside = sorted(set(cited) - window)
        if outside:
            raise ValueError(f"briefing cites papers outside its window: {outside}")
        return self

    @staticmethod
    def make_id(radar_id: str, window: int) -> str:
        return f"{radar_id}.w{window}"


class DeadLetter(_Event):
    """The value of a ``<topic>.dlq`` event: a poison event and why it was refused."""

    schema_version: Literal[1] = 1
    topic: str
    partition: int
    offset: int
    key: str | None
    value: str
    error: str
    service: str
    failed_at: dt.datetime
