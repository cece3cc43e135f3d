"""``academichub brief``: one briefing of a JSON-lines file of papers, printed as JSON.

The papers go through the briefer's own service over the in-memory store: a radar in
the requested language, one match per paper (file order is match order, best first),
one window closed by the same closer, composer, summary cache, budgets and model
adapter the service uses. ``--base-url``/``--model`` (else ``OPENAI_BASE_URL`` and
``OPENAI_MODEL``; the key only from ``OPENAI_API_KEY``, never the command line, where
other users could read it) choose the model; with none, the briefing is extractive.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from academichub.briefer.bootstrap import build_composer, build_model, build_vectors
from academichub.briefer.domain.corpus import CountedPhraseStatistics
from academichub.briefer.domain.model import ChatModel
from academichub.briefer.domain.policy import WindowPolicy
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.service import BrieferService
from academichub.briefer.settings import BrieferSettings
from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Briefing, BriefingSchedule, Match, Paper, Radar
from academichub.contracts.events import Language
from academichub.contracts.paper_lines import load_papers
from academichub.platform.errors import ConfigError
from academichub.platform.settings import env_variable, load_settings
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore

RADAR_ID = "cli"


def brief_settings(base_url: str | None, model: str | None) -> BrieferSettings:
    """The service's settings from the environment, with the command line's model."""
    settings = load_settings(BrieferSettings)
    overrides: dict[str, object] = {}
    if base_url is not None:
        overrides["llm_base_url"] = base_url
    if model is not None:
        overrides["llm_model"] = model
    if not overrides:
        return settings
    try:
        # Validated like the environment (a bad URL is refused, naming the flag).
        return BrieferSettings.model_validate({**settings.model_dump(), **overrides})
    except ValidationError as exc:
        problems = "; ".join(
            f"{env_variable(BrieferSettings, e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid --base-url/--model: {problems}") from exc


async def brief(papers: list[Paper], language: Language, settings: BrieferSettings) -> Briefing:
    """The briefing of ``papers`` (best first) as the service would write it."""
    now = dt.datetime.now(dt.UTC)
    store = InMemoryStore()
    distinct = list(dict.fromkeys(p.id for p in papers))
    radar = Radar(
        id=RADAR_ID,
        owner="cli",
        name="academichub brief",
        query="",
        language=language,
        schedule=BriefingSchedule(kind="every_n", n=min(1000, max(1, len(distinct)))),
        created_at=now,
        updated_at=now,
    )
    store.radars.put_radar(radar)
    store.papers.upsert_papers(papers)
    # File order is the ranking; scores fall from 1.0 so reasons read like the service's.
    rank = {paper_id: 1.0 - i / len(distinct) for i, paper_id in enumerate(distinct)}
    for paper in papers:
        store.briefings.enqueue_for_briefing(
            Match(
                radar_id=RADAR_ID,
                paper_id=paper.id,
                version=paper.version,
                score=round(rank[paper.id], 4),
                matched_at=now,
            )
        )
    metrics = BrieferMetrics(CollectorRegistry())
    access = AsyncStore.inline(store)
    built = build_model(settings, metrics)
    model: ChatModel | None = built[0] if built is not None else None
    publisher = RecordingPublisher()
    service = BrieferService(
        store=access,
        publisher=publisher,
        # The store holds exactly the file's papers: their phrase counts are the store's,
        # counted directly rather than by one in-memory search per phrase.
        composer=build_composer(
            settings,
            access.part(lambda s: s.briefer),
            metrics,
            model,
            vectors=build_vectors(settings),
            statistics=CountedPhraseStatistics(papers, source="store"),
        ),
        # One window with every paper: the file is the window.
        policy=WindowPolicy(max_papers=len(distinct), max_age=settings.window_policy.max_age),
        metrics=metrics,
        upgrades_per_pass=0,
    )
    try:
        (briefing,) = await service.close_due_windows()
    finally:
        if built is not None:
            await built[1].aclose()
    return briefing


def run_brief(papers_path: str, language: Language, base_url: str | None, model: str | None) -> int:
    try:
        papers, problems = load_papers(papers_path)
    except OSError as exc:
        print(f"academichub brief: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    if not papers:
        print(f"academichub brief: no papers in {papers_path}", file=sys.stderr)
        return 2
    settings = brief_settings(base_url, model)
    briefing = asyncio.run(brief(papers, language, settings))
    sys.stdout.write(briefing.model_dump_json(indent=2) + "\n")
    how = briefing.provider + (f" ({briefing.model})" if briefing.model else "")
    if briefing.degraded:
        how += f", degraded: {briefing.degraded_reason}"
    print(
        f"{len(briefing.paper_ids)} papers briefed, {len(briefing.omitted_paper_ids)} omitted, "
        f"by {how}",
        file=sys.stderr,
    )
    return 1 if problems else 0
