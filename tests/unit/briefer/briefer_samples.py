"""Builders for the briefer's tests: papers, radars, matches, model answers, a composer."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry

from academichub.briefer.domain.budget import DailyLimits, TokenLedger
from academichub.briefer.domain.composer import Composer
from academichub.briefer.domain.model import ChatModel, ChatRequest
from academichub.briefer.domain.summaries import SummaryCache
from academichub.briefer.domain.synthesis import SynthesisLimits
from academichub.briefer.metrics import BrieferMetrics
from academichub.contracts import BriefingSchedule, Match, MatchedTerm, Paper, Radar
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore

T0 = dt.datetime(2026, 6, 12, 8, 0, tzinfo=dt.UTC)


def paper(
    n: int,
    *,
    title: str | None = None,
    abstract: str | None = None,
    categories: tuple[str, ...] = ("quant-ph",),
    version: int = 1,
) -> Paper:
    return Paper(
        id=f"arxiv:2606.{n:05d}",
        version=version,
        source="arxiv",
        title=title or f"Paper number {n} on quantum error correction",
        abstract=abstract
        or (
            f"Background sentence for paper {n}. We show that surface codes with "
            f"lattice surgery reach threshold {n}."
        ),
        authors=("A. Author", "B. Author"),
        categories=categories,
        published=dt.date(2026, 6, 12),
    )


def pid(n: int) -> str:
    return f"arxiv:2606.{n:05d}"


def radar(
    radar_id: str = "r1",
    *,
    language: str = "en",
    owner: str = "alice",
    schedule: BriefingSchedule | None = None,
) -> Radar:
    return Radar.model_validate(
        {
            "id": radar_id,
            "owner": owner,
            "name": "Error correction",
            "query": "surface code OR lattice surgery",
            "language": language,
            "schedule": schedule or BriefingSchedule(),
            "created_at": T0,
            "updated_at": T0,
        }
    )


def match(
    n: int,
    *,
    radar_id: str = "r1",
    score: float = 1.0,
    at: dt.datetime = T0,
    version: int = 1,
) -> Match:
    return Match(
        radar_id=radar_id,
        paper_id=pid(n),
        version=version,
        score=score,
        terms=(MatchedTerm(field="abstract", term="surface"),),
        matched_at=at,
    )


# --- model answers ----------------------------------------------------------------------


def briefing_answer(ids: Sequence[str], *, extra_ids: Sequence[str] = ()) -> dict[str, Any]:
    """A well-formed direct briefing citing ``ids`` (plus ``extra_ids`` in the theme)."""
    return {
        "overview": f"{len(ids)} papers on error correction.",
        "themes": [
            {
                "title": "Surface codes",
                "synthesis": "Lattice surgery keeps improving thresholds.",
                "paper_ids": [*ids, *extra_ids],
            }
        ],
        "connections": [],
        "notable": [{"paper_id": ids[0], "reason": "Best threshold."}],
    }


def summaries_answer(ids: Sequence[str]) -> dict[str, Any]:
    return {
        "summaries": [
            {"paper_id": i, "tldr_en": f"TL;DR of {i}.", "tldr_zh": f"{i} 的要点。"} for i in ids
        ]
    }


def well_behaved(request: ChatRequest) -> dict[str, Any]:
    """What a compliant model answers to any of the briefer's requests: valid JSON that
    cites exactly the request's papers."""
    ids = list(request.paper_ids)
    if request.task == "tldr":
        return summaries_answer(ids)
    if request.task == "theme":
        # One theme per group of the plan the request carries.
        groups = data_of(request)["plan"]["themes"]
        return {
            "themes": [
                {
                    "title": f"Theme of {len(g['paper_ids'])}",
                    "synthesis": "Together they…",
                    "paper_ids": g["paper_ids"],
                }
                for g in groups
            ]
        }
    answer = briefing_answer(ids)
    if request.schema_name == "briefing_synthesis":
        del answer["themes"]
    return answer


def data_of(request: ChatRequest) -> dict[str, Any]:
    """The JSON document between the fence lines of the request's user message."""
    user = request.messages[-1]["content"] if request.messages else ""
    for message in request.messages:
        if message["role"] == "user" and "BEGIN UNTRUSTED PAPER DATA" in message["content"]:
            user = message["content"]
    m = re.search(
        r"^=== BEGIN UNTRUSTED PAPER DATA (\w+) ===\n(.*)\n=== END UNTRUSTED PAPER DATA \1 ===$",
        user,
        re.DOTALL | re.MULTILINE,
    )
    assert m is not None, user
    parsed = json.loads(m.group(2))
    assert isinstance(parsed, dict)
    return parsed


# --- a composer over the in-memory store ---------------------------------------------------


def make_composer(
    model: ChatModel | None,
    *,
    store: InMemoryStore | None = None,
    metrics: BrieferMetrics | None = None,
    limits: SynthesisLimits | None = None,
    daily: DailyLimits | None = None,
    clock: Callable[[], dt.datetime] = lambda: T0,
    batch_size: int = 8,
) -> Composer:
    access = AsyncStore.inline((store if store is not None else InMemoryStore()).briefer)
    seen = metrics or BrieferMetrics(CollectorRegistry())
    return Composer(
        model=model,
        summaries=SummaryCache(access, model, observer=seen, batch_size=batch_size, clock=clock),
        ledger=TokenLedger(access, daily or DailyLimits(10**9, 10**9), clock),
        limits=limits,
        observer=seen,
        clock=clock,
    )


def sample(metrics: BrieferMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(f"academichub_briefer_{name}", labels) or 0.0
