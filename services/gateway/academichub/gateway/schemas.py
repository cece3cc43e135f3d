"""The JSON shapes of the HTTP API (requests and responses), apart from the contracts.

Radars and briefings are returned as their contract models unchanged; the shapes here
are the views that join or trim them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from academichub.contracts import (
    Briefing,
    BriefingSchedule,
    MatchedTerm,
    NearestPaper,
    Paper,
    Radar,
    ScoreKind,
)
from academichub.contracts.events import (
    MAX_INTEREST_CHARS,
    MAX_PER_DAY,
    MAX_SEEDS,
    Language,
    known_time_zone,
)
from academichub.gateway.domain.owners import OWNER_PATTERN

MAX_NAME = 200
MAX_QUERY = 2000
RadarName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)
]
OwnerName = Annotated[str, StringConstraints(pattern=OWNER_PATTERN)]
# An IANA zone name; whether it exists is checked by the contract (422 naming it).
TimeZone = Annotated[
    str,
    AfterValidator(known_time_zone),
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
        examples=["Asia/Shanghai", "Europe/Berlin", "UTC"],
        description="IANA time zone of the hour",
    ),
]
Hour = Annotated[int, Field(ge=0, le=23, description="Hour of the day, 0-23, in the time zone")]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")]


class _Body(BaseModel):
    # A misspelt field is an error the client hears about, not a silent default; a
    # number sent as true or "5" is a mistake too (strict), not quietly converted.
    model_config = ConfigDict(extra="forbid", strict=True)


class DailySchedule(_Body):
    """A briefing every day at ``hour`` in ``timezone``. ``weekday`` is accepted (a radar
    read back carries every field) and kept, unused."""

    kind: Literal["daily"]
    hour: Hour = 7
    timezone: TimeZone = "UTC"
    weekday: Weekday = 0
    n: None = None


class WeeklySchedule(_Body):
    """A briefing every ``weekday`` at ``hour`` in ``timezone``."""

    kind: Literal["weekly"]
    weekday: Weekday = 0
    hour: Hour = 7
    timezone: TimeZone = "UTC"
    n: None = None


class EveryNSchedule(_Body):
    """A briefing each time ``n`` new papers have matched (``n`` is required)."""

    kind: Literal["every_n"]
    n: int = Field(ge=1, le=1000, description="Papers per briefing")
    hour: Hour = 7
    timezone: TimeZone = "UTC"
    weekday: Weekday = 0


ScheduleIn = Annotated[DailySchedule | WeeklySchedule | EveryNSchedule, Field(discriminator="kind")]


def schedule_of(given: DailySchedule | WeeklySchedule | EveryNSchedule) -> BriefingSchedule:
    """The contract's schedule (which checks the time zone exists) from a request's."""
    return BriefingSchedule.model_validate(given.model_dump())


SeedText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
InterestText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_INTEREST_CHARS)
]
PerDay = Annotated[float, Field(gt=0, le=MAX_PER_DAY, description="About N papers a day")]
SEEDS_HELP = (
    "Seed papers: stored paper ids, arXiv ids or DOIs (or links to them), each looked up "
    "in the store"
)
REFERENCES_HELP = (
    "A BibTeX or RIS export (from Zotero or any reference manager): each entry's DOI or "
    "arXiv id becomes a seed"
)


class RadarCreate(_Body):
    """A radar has a query, semantic parts (seeds, references, an interest), or both."""

    name: RadarName
    query: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_QUERY)] = ""
    seeds: Annotated[list[SeedText], Field(max_length=MAX_SEEDS, description=SEEDS_HELP)] = []
    references: str | None = Field(default=None, description=REFERENCES_HELP)
    interest: InterestText | None = Field(
        default=None, description="The interest in free text (best in English)"
    )
    per_day: PerDay | None = Field(
        default=None, description="About N papers a day (semantic radars; default 3)"
    )
    language: Language = "zh"
    schedule: ScheduleIn = Field(
        default_factory=lambda: DailySchedule(kind="daily"),
        description="When briefings come; by default daily at 07:00 UTC",
    )
    owner: OwnerName | None = Field(
        default=None, description="Admins only: create the radar for this user id"
    )


class RadarUpdate(_Body):
    """Fields left out keep their value; an empty body re-publishes the radar. ``seeds``
    and ``references`` together replace the seeds; an empty ``query`` or ``interest``
    removes it."""

    name: RadarName | None = None
    query: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_QUERY)] | None = (
        None
    )
    seeds: Annotated[list[SeedText], Field(max_length=MAX_SEEDS, description=SEEDS_HELP)] | None = (
        None
    )
    references: str | None = Field(default=None, description=REFERENCES_HELP)
    interest: InterestText | None = None
    per_day: PerDay | None = None
    language: Language | None = None
    schedule: ScheduleIn | None = None


class RadarList(BaseModel):
    items: list[Radar]


class PaperItem(BaseModel):
    id: str
    version: int | None
    title: str
    source: str
    categories: list[str]
    published: dt.date
    authors: list[str]
    url: str | None
    snippet: str = Field(description="Abstract excerpt as HTML: escaped, hits in <mark>")


class PaperPage(BaseModel):
    total: int
    items: list[PaperItem]


class PaperDetail(Paper):
    """The latest version of a paper plus every version seen, oldest first."""

    versions: tuple[int | None, ...]


class MatchItem(BaseModel):
    paper_id: str
    version: int | None
    score: float = Field(
        description="As the radar ranks it now: its model's probability of a 👍 once it "
        "learned, the similarity for a semantic radar, else the query's score"
    )
    score_kind: ScoreKind
    matched_at: dt.datetime
    terms: list[MatchedTerm] = Field(
        description="Why it matched: the terms that fired, as the matcher reads text "
        "(analysed: folded and stemmed)"
    )
    why: list[str] = Field(
        description="The same terms as the paper writes them, each once (empty if the "
        "paper is not stored yet)"
    )
    nearest: list[NearestPaper] = Field(
        description="Why it matched: the radar's seed or liked papers nearest to it"
    )
    title: str | None = Field(description="None if the paper is not (yet) in the store")
    source: str | None
    published: dt.date | None


class MatchList(BaseModel):
    radar_id: str
    items: list[MatchItem]


class BriefingList(BaseModel):
    radar_id: str
    items: list[Briefing]


class RadarPreviewRequest(_Body):
    query: str = Field(default="", max_length=MAX_QUERY, description="The radar query to try")
    seeds: Annotated[list[SeedText], Field(max_length=MAX_SEEDS, description=SEEDS_HELP)] = []
    references: str | None = Field(default=None, description=REFERENCES_HELP)
    interest: InterestText | None = None
    per_day: PerDay | None = Field(default=None, description="About N papers a day (default 3)")
    days: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="How many days to count back from the newest stored announcement "
        "(default: RADAR_BACKFILL_DAYS, the days a saved radar is matched against at once)",
    )
    top: int = Field(default=5, ge=0, le=20, description="How many best papers to show")


class DayCount(BaseModel):
    date: dt.date
    count: int


class QueryWarningView(BaseModel):
    code: str = Field(description="lowercase_operator, not_binds_tightly")
    message: str = Field(description="In the language Accept-Language asks for")


class SemanticPreviewView(BaseModel):
    per_day: float = Field(description="The papers a day asked for")
    threshold: float | None = Field(
        description="The score that gives about that many over the last 30 days (a cosine, "
        "or a logit once the radar learned); null: fewer papers than that, all match"
    )
    kind: ScoreKind
    seeds: list[str] = Field(description="The seed papers as found in the store")
    waiting: list[str] = Field(description="Seed or rated papers without an embedding yet")


class ScoredPaper(PaperItem):
    score: float


class RadarPreview(BaseModel):
    query: str
    reading: str = Field(description="How the query was read: every operator and group explicit")
    warnings: list[QueryWarningView]
    semantic: SemanticPreviewView | None = Field(
        description="For a radar with seeds or an interest: its threshold; the counts and "
        "papers below are then what query and meaning would have caught together"
    )
    first_day: dt.date = Field(serialization_alias="from")
    last_day: dt.date = Field(serialization_alias="to")
    total: int
    per_day: list[DayCount]
    top: list[ScoredPaper]


class FacetCount(BaseModel):
    value: str
    count: int


class FacetsView(BaseModel):
    sources: list[FacetCount]
    categories: list[FacetCount] = Field(description="The most frequent categories")
    per_day: list[DayCount] = Field(
        description="Papers per day over the 30 days ending with the newest matching paper"
    )


class PaperSearchPage(PaperPage):
    facets: FacetsView | None = Field(description="None when asked with facets=false")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class PaperLinks(BaseModel):
    page: str = Field(description="This paper on AcademicHub")
    abstract: str | None
    pdf: str | None
    doi: str | None


class PaperWithLinks(PaperDetail):
    links: PaperLinks


class SimilarPaper(PaperItem):
    similarity: float = Field(description="Cosine of the two papers' embeddings")


class SimilarPapers(BaseModel):
    paper_id: str
    items: list[SimilarPaper] = Field(description="Nearest first; empty until it is embedded")


class FeedbackRequest(_Body):
    paper_id: str = Field(min_length=1, max_length=200)
    verdict: Literal["up", "down", "none"] = Field(description="'none' takes a verdict back")


class FeedbackItem(BaseModel):
    paper_id: str
    verdict: Literal["up", "down"]
    user_id: str
    at: dt.datetime


class FeedbackList(BaseModel):
    radar_id: str
    items: list[FeedbackItem]


class FeedTokenIssued(BaseModel):
    radar_id: str
    token: str = Field(description="Shown once; a new one revokes this one")
    feed_url: str


class SourceFreshness(BaseModel):
    name: str
    configured: bool = Field(description="Polled by the ingestor (GATEWAY_SOURCES)")
    url: str | None
    announce_date: dt.date | None = Field(description="Announce date of the last feed read")
    etag: bool = Field(description="The feed gave an ETag: polls are conditional")
    last_modified: str | None
    papers: int = Field(description="Papers of this source in the store")
    newest_published: dt.date | None
    status: Literal["fresh", "behind", "unknown"]
    missed_announcements: int | None = Field(
        description="arXiv listings announced since the last one read"
    )
    last_success_at: dt.datetime | None = Field(None, description="Last successful poll")
    last_error_at: dt.datetime | None = Field(None, description="Last failed poll")
    last_error: str | None = Field(None, description="What went wrong in the last failed poll")
    items_last_poll: int | None = Field(None, description="Entries in the last poll read")
    next_poll_at: dt.datetime | None = Field(None, description="When the ingestor polls next")
    stale: bool = Field(False, description="The feed's announcement date lags the arXiv calendar")
    last_poll_notes: str | None = Field(
        None,
        description="What the last poll that read entries repaired (undecodable text, control "
        "or bidi characters, fields truncated to their bounds) or could not publish",
    )


class ArxivSchedule(BaseModel):
    latest_listing: dt.date
    latest_released_at: dt.datetime
    next_listing: dt.date
    next_release_at: dt.datetime


class SourcesReport(BaseModel):
    checked_at: dt.datetime
    sources: list[SourceFreshness]
    arxiv: ArxivSchedule


class UserView(BaseModel):
    id: str
    name: str
    email: str
    is_admin: bool
