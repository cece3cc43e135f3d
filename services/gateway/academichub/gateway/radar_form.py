"""The radar form as a person fills it in: read as text, checked field by field, and
given back intact with every mistake named, so nothing typed is ever lost or cut.

Pure: no framework. The routes pass what was posted; :func:`check_form` answers either
the radar's fields or the problems, each in the page's language, the query's with its
position (for the caret under it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from academichub.contracts import BriefingSchedule, Radar
from academichub.contracts.events import (
    MAX_INTEREST_CHARS,
    MAX_PER_DAY,
    Language,
    time_zone_names,
)
from academichub.gateway.domain.i18n import Lang, Translator
from academichub.gateway.domain.query_text import query_error_message
from academichub.gateway.domain.seeds import looks_like_references
from academichub.gateway.schemas import MAX_NAME, MAX_QUERY
from academichub.radar.parser import QuerySyntaxError, parse_query

ScheduleKind = Literal["daily", "weekly", "every_n"]
KINDS: tuple[ScheduleKind, ...] = ("daily", "weekly", "every_n")
# A new radar's zone before the page's script offers the browser's own.
DEFAULT_ZONE: dict[Lang, str] = {"zh": "Asia/Shanghai", "en": "UTC"}


@dataclass(frozen=True)
class RadarForm:
    """What the form shows: every field as text, exactly as typed."""

    name: str = ""
    query: str = ""
    language: str = "zh"
    kind: str = "daily"
    hour: str = "7"
    weekday: str = "0"
    timezone: str = "UTC"
    n: str = "10"
    # Semantic parts: seed papers (ids, arXiv ids, DOIs, or a pasted BibTeX/RIS export),
    # the interest described, and about how many papers a day.
    seeds: str = ""
    interest: str = ""
    per_day: str = "3"

    @classmethod
    def blank(cls, lang: Lang) -> RadarForm:
        return cls(language=lang, timezone=DEFAULT_ZONE[lang])

    @classmethod
    def of(cls, radar: Radar) -> RadarForm:
        schedule = radar.schedule
        return cls(
            name=radar.name,
            query=radar.query,
            language=radar.language,
            kind=schedule.kind,
            hour=str(schedule.hour),
            weekday=str(schedule.weekday),
            timezone=schedule.timezone,
            n=str(schedule.n or 10),
            seeds="\n".join(radar.seeds),
            interest=radar.interest or "",
            per_day=f"{radar.per_day:g}" if radar.per_day is not None else "3",
        )


@dataclass(frozen=True)
class QueryMistake:
    message: str
    position: int


@dataclass(frozen=True)
class Checked:
    """The form's verdict: ``changes`` for the store when ``ok``, else what is wrong."""

    errors: dict[str, str] = field(default_factory=dict)
    query_error: QueryMistake | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and self.query_error is None


def _whole(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def check_form(form: RadarForm, lang: Lang) -> Checked:
    t = Translator(lang)
    errors: dict[str, str] = {}
    name, query = form.name.strip(), form.query.strip()
    seeds, interest = form.seeds.strip(), form.interest.strip()
    if not name:
        errors["name"] = t("form.required")
    elif len(name) > MAX_NAME:
        errors["name"] = t("form.too_long", length=len(name), limit=MAX_NAME)
    mistake: QueryMistake | None = None
    per_day = _rate(form.per_day)
    if (seeds or interest) and per_day is None:
        errors["per_day"] = t("form.rate", high=int(MAX_PER_DAY))
    if len(interest) > MAX_INTEREST_CHARS:
        errors["interest"] = t("form.too_long", length=len(interest), limit=MAX_INTEREST_CHARS)
    if not query and not seeds and not interest:
        errors["query"] = t("form.query_or_meaning")
    elif not query:
        pass  # a semantic radar: meaning alone decides
    elif len(query) > MAX_QUERY:
        errors["query"] = t("form.too_long", length=len(query), limit=MAX_QUERY)
    else:
        try:
            parse_query(query)
        except QuerySyntaxError as exc:
            # The caret goes under the text as typed: count from the first character
            # kept after stripping.
            offset = len(form.query) - len(form.query.lstrip())
            mistake = QueryMistake(query_error_message(exc, lang), exc.position + offset)
    if form.language not in ("zh", "en"):
        errors["language"] = t("form.choose")
    kind = form.kind if form.kind in KINDS else None
    if kind is None:
        errors["kind"] = t("form.choose")
    hour = _whole(form.hour, 0, 23)
    weekday = _whole(form.weekday, 0, 6)
    n = _whole(form.n, 1, 1000)
    zone = form.timezone.strip()
    if kind in ("daily", "weekly"):
        if hour is None:
            errors["hour"] = t("form.between", low=0, high=23)
        if zone not in time_zone_names():
            errors["timezone"] = t("form.zone", zone=zone)
    if kind == "weekly" and weekday is None:
        errors["weekday"] = t("form.choose")
    if kind == "every_n" and n is None:
        errors["n"] = t("form.between", low=1, high=1000)
    if errors or mistake is not None:
        return Checked(errors, mistake)
    assert kind is not None
    schedule = BriefingSchedule(
        kind=kind,
        hour=hour if hour is not None else 7,
        weekday=weekday if weekday is not None else 0,
        timezone=zone if zone in time_zone_names() else "UTC",
        n=n if kind == "every_n" else None,
    )
    return Checked(
        changes={
            "name": name,
            "query": query,
            "language": cast(Language, form.language),
            "schedule": schedule,
            "seeds": seeds,
            "interest": interest,
            "per_day": per_day if (seeds or interest) else None,
        }
    )


def _rate(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if 0 < value <= MAX_PER_DAY and math.isfinite(value) else None


def seed_inputs(seeds: str) -> tuple[list[str], str | None]:
    """The form's one seeds box as (entries, pasted references): a BibTeX or RIS paste is
    read as an export, anything else as ids, DOIs and links."""
    if looks_like_references(seeds):
        return [], seeds
    return [seeds] if seeds.strip() else [], None
