"""The model's part of a briefing: planned to fit a token budget, direct or staged.

The model starts from the extractive briefer's plan of the window (the *outline*,
:class:`~.extractive.WindowPlan`): themes grouped by meaning and named by keyphrases, and
candidate cross-field connections with their similarity. It may refine all of it; it
starts grounded, and a staged briefing needs far fewer calls.

:func:`plan` decides, before any call, how the window is briefed:

- **direct** — one request with every paper's abstract and TL;DR, and the outline, asks
  for the overview, themes, connections and notable papers. Used up to ``staged_above``
  papers when it fits the per-briefing budget.
- **staged** — for larger windows (or a direct request that does not fit): the
  outline's themes are written from the papers' TL;DRs, ``themes_per_request`` at a time
  (two or three requests instead of one per theme), and a last request writes the
  overview, connections (from the outline's candidates) and notable papers from the
  themes and the TL;DRs. If even that does not fit, the best-matching papers that fit
  are briefed and the rest are listed in ``omitted`` — never cut silently.

Every request's cost is estimated from the messages actually built
(:mod:`.tokens`), plus its answer cap. :func:`run` sends the plan's requests; each
answer is held to its papers (:mod:`.citations`). Themes the model cannot write
usably keep their extractive version. Model failures and an exhausted budget propagate
to the composer, which falls back.

Pure: async, but no I/O of its own (the model is a port).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from academichub.briefer.domain.citations import clean_draft, clean_theme
from academichub.briefer.domain.draft import (
    BRIEFING_SCHEMA,
    SYNTHESIS_SCHEMA,
    THEMES_SCHEMA,
    BriefingDraft,
    BriefingParts,
    ThemesDraft,
)
from academichub.briefer.domain.extractive import WindowPlan, group_papers, plan_window
from academichub.briefer.domain.fields import paper_field
from academichub.briefer.domain.model import ChatModel, ChatRequest, ModelOutputInvalid
from academichub.briefer.domain.prompt import (
    DEFAULT_BUDGET,
    PromptBudget,
    build_messages,
    synthesis_messages,
    themes_messages,
)
from academichub.briefer.domain.structured import AskObserver, ask, request_estimate
from academichub.briefer.domain.tokens import TokenMeter
from academichub.contracts import Paper, Radar, Theme
from academichub.contracts.events import Language

Mode = Literal["direct", "staged"]


@dataclass(frozen=True)
class SynthesisLimits:
    staged_above: int = 25  # more papers than this are briefed in stages
    briefing_tokens: int = 48_000  # what one briefing's requests may cost in all
    briefing_output_tokens: int = 3_000
    theme_output_tokens: int = 800
    max_groups: int = 8
    themes_per_request: int = 4  # staged: themes one request writes
    concurrency: int = 4  # theme requests in flight at once


@dataclass(frozen=True)
class Plan:
    mode: Mode
    included: tuple[Paper, ...]  # best match first
    omitted: tuple[str, ...]  # window papers that did not fit the budget
    estimate: int  # tokens, at most
    groups: tuple[Theme, ...] = ()  # staged: the outline's themes, written in batches
    direct: ChatRequest | None = None
    outline: WindowPlan | None = None


@dataclass
class Synthesis:
    parts: BriefingParts  # without TL;DRs (they come from the summary cache)
    model: str
    rejected: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Context:
    radar: Radar
    tldrs: Mapping[str, str]
    limits: SynthesisLimits
    budget: PromptBudget
    outline: WindowPlan


def _included(outline: WindowPlan, papers: Sequence[Paper]) -> WindowPlan:
    """The outline restricted to ``papers`` (those that fit the budget)."""
    ids = {p.id for p in papers}
    if ids == {p.id for p in outline.papers}:
        return outline
    themes = tuple(
        replace(t, paper_ids=kept, representative=tuple(i for i in t.representative if i in ids))
        for t in outline.themes
        if (kept := tuple(i for i in t.paper_ids if i in ids))
    )
    connections = tuple(c for c in outline.connections if set(c.paper_ids) <= ids)
    return replace(outline, papers=tuple(papers), themes=themes, connections=connections)


def _candidates(outline: WindowPlan) -> list[dict[str, object]]:
    return [
        {
            "concept": c.concept,
            "fields": list(c.fields),
            "paper_ids": list(c.paper_ids),
            "similarity": round(c.similarity, 2),
        }
        for c in outline.connections
    ]


def _outline_record(outline: WindowPlan, language: Language) -> dict[str, object]:
    """The outline as the direct request's "plan"."""
    return {
        "themes": [
            {"title": t.title, "keyphrases": list(k.keyphrases), "paper_ids": list(t.paper_ids)}
            for t, k in zip(
                group_papers(outline, language=language, max_groups=len(outline.themes) or 1),
                outline.themes,
                strict=False,
            )
        ],
        "candidate_connections": _candidates(outline),
    }


def _direct_request(papers: Sequence[Paper], ctx: _Context) -> ChatRequest:
    return ChatRequest(
        task="briefing",
        messages=tuple(
            build_messages(
                papers,
                language=ctx.radar.language,
                radar_name=ctx.radar.name,
                radar_query=ctx.radar.query,
                tldrs=ctx.tldrs,
                budget=ctx.budget,
                outline=_outline_record(_included(ctx.outline, papers), ctx.radar.language),
            )
        ),
        schema_name="briefing",
        schema=BRIEFING_SCHEMA,
        max_output_tokens=ctx.limits.briefing_output_tokens,
        paper_ids=tuple(p.id for p in papers),
        language=ctx.radar.language,
    )


def _themes_request(
    batch: Sequence[tuple[Theme, Sequence[str]]], papers: Sequence[Paper], ctx: _Context
) -> ChatRequest:
    groups = [(theme, keyphrases, _members(theme, papers)) for theme, keyphrases in batch]
    return ChatRequest(
        task="theme",
        messages=tuple(
            themes_messages(
                groups,
                tldrs=ctx.tldrs,
                language=ctx.radar.language,
                radar_name=ctx.radar.name,
                radar_query=ctx.radar.query,
                budget=ctx.budget,
            )
        ),
        schema_name="themes",
        schema=THEMES_SCHEMA,
        max_output_tokens=ctx.limits.theme_output_tokens * len(batch),
        paper_ids=tuple(p.id for _, _, members in groups for p in members),
        language=ctx.radar.language,
    )


def _synthesis_request(
    themes: Sequence[Theme], papers: Sequence[Paper], ctx: _Context
) -> ChatRequest:
    return ChatRequest(
        task="briefing",
        messages=tuple(
            synthesis_messages(
                themes,
                papers,
                tldrs=ctx.tldrs,
                language=ctx.radar.language,
                radar_name=ctx.radar.name,
                radar_query=ctx.radar.query,
                budget=ctx.budget,
                connections=_candidates(_included(ctx.outline, papers)),
            )
        ),
        schema_name="briefing_synthesis",
        schema=SYNTHESIS_SCHEMA,
        max_output_tokens=ctx.limits.briefing_output_tokens,
        paper_ids=tuple(p.id for p in papers),
        language=ctx.radar.language,
    )


def _members(group: Theme, papers: Sequence[Paper]) -> list[Paper]:
    wanted = set(group.paper_ids)
    return [p for p in papers if p.id in wanted]


def _batches(
    groups: Sequence[Theme], outline: WindowPlan, per_request: int
) -> list[list[tuple[Theme, Sequence[str]]]]:
    keyphrases = {t.paper_ids: t.keyphrases for t in outline.themes}
    named: list[tuple[Theme, Sequence[str]]] = [
        (g, keyphrases.get(g.paper_ids, ())) for g in groups
    ]
    size = max(1, per_request)
    return [named[i : i + size] for i in range(0, len(named), size)]


def _staged(papers: Sequence[Paper], ctx: _Context) -> tuple[int, tuple[Theme, ...]]:
    """The estimated cost of briefing ``papers`` in stages, and its groups."""
    outline = _included(ctx.outline, papers)
    groups = tuple(
        group_papers(outline, language=ctx.radar.language, max_groups=ctx.limits.max_groups)
    )
    cost = sum(
        request_estimate(_themes_request(batch, papers, ctx))
        for batch in _batches(groups, outline, ctx.limits.themes_per_request)
    )
    # The final request carries the model's themes, unknown yet: the extractive themes
    # stand in, padded to the size a theme may reach.
    stand_ins = [
        Theme(title=g.title, synthesis="x" * ctx.budget.theme_chars, paper_ids=g.paper_ids)
        for g in groups
    ]
    cost += request_estimate(_synthesis_request(stand_ins, papers, ctx))
    return cost, groups


def plan(
    papers: Sequence[Paper],
    *,
    radar: Radar,
    tldrs: Mapping[str, str],
    limits: SynthesisLimits,
    budget: PromptBudget = DEFAULT_BUDGET,
    outline: WindowPlan | None = None,
) -> Plan | None:
    """How to brief ``papers`` (best match first) within ``limits.briefing_tokens``;
    None when not even the best paper fits. ``outline`` is the extractive plan of
    ``papers`` (computed here, by TF-IDF, when not given)."""
    outline = outline or plan_window(papers)
    ctx = _Context(radar, tldrs, limits, budget, outline)
    cap = limits.briefing_tokens
    if len(papers) <= limits.staged_above:
        direct = _direct_request(papers, ctx)
        estimate = request_estimate(direct)
        if estimate <= cap:
            return Plan("direct", tuple(papers), (), estimate, direct=direct, outline=outline)

    cost, groups = _staged(papers, ctx)
    fit = len(papers)
    if cost > cap:
        # The most papers (best first) whose staged briefing fits: cost grows with the
        # number of papers, so a binary search finds it in a few plans.
        low, high, fit = 1, len(papers) - 1, 0
        while low <= high:
            middle = (low + high) // 2
            probe, probe_groups = _staged(papers[:middle], ctx)
            if probe <= cap:
                fit, cost, groups = middle, probe, probe_groups
                low = middle + 1
            else:
                high = middle - 1
        if fit == 0:
            return None
    included = tuple(papers[:fit])
    return Plan(
        "staged",
        included,
        tuple(p.id for p in papers[fit:]),
        cost,
        groups=groups,
        outline=outline,
    )


async def run(
    model: ChatModel,
    planned: Plan,
    *,
    radar: Radar,
    tldrs: Mapping[str, str],
    limits: SynthesisLimits,
    meter: TokenMeter,
    observer: AskObserver,
    budget: PromptBudget = DEFAULT_BUDGET,
    outline: WindowPlan | None = None,
) -> Synthesis:
    """Send the plan's requests; raises ModelError or BudgetExhausted."""
    whole = outline or planned.outline or plan_window(planned.included)
    ctx = _Context(radar, tldrs, limits, budget, whole)
    ids = [p.id for p in planned.included]
    fields = {p.id: paper_field(p) for p in planned.included}

    if planned.mode == "direct":
        assert planned.direct is not None  # plan() sets it for direct plans
        answered = await ask(model, planned.direct, BriefingDraft, meter=meter, observer=observer)
        cleaned = clean_draft(answered.value, ids, fields_by_paper=fields)
        return Synthesis(cleaned.parts, answered.model, cleaned.rejected, cleaned.dropped)

    slots = asyncio.Semaphore(max(1, limits.concurrency))
    rejected: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    included = _included(whole, planned.included)
    batches = _batches(planned.groups, included, limits.themes_per_request)

    async def write_themes(batch: list[tuple[Theme, Sequence[str]]]) -> list[Theme] | None:
        async with slots:
            try:
                answered = await ask(
                    model,
                    _themes_request(batch, planned.included, ctx),
                    ThemesDraft,
                    meter=meter,
                    observer=observer,
                )
            except ModelOutputInvalid:
                return None
        batch_ids = [i for theme, _ in batch for i in theme.paper_ids]
        written: list[Theme] = []
        for draft in answered.value.themes:
            cleaned = clean_theme(draft, batch_ids)
            rejected.update(cleaned.rejected)
            dropped.update(cleaned.dropped)
            if cleaned.theme is not None:
                written.append(cleaned.theme)
        return written or None

    # Every request runs to its end (none is left running behind a failure); then the
    # first failure, if any, ends the briefing.
    outcomes = await asyncio.gather(*(write_themes(b) for b in batches), return_exceptions=True)
    themes: list[Theme] = []
    for batch, outcome in zip(batches, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is None:
            themes.extend(theme for theme, _ in batch)
        else:
            themes.extend(outcome)

    answered = await ask(
        model,
        _synthesis_request(themes, planned.included, ctx),
        BriefingDraft,
        meter=meter,
        observer=observer,
    )
    final = answered.value.model_copy(update={"themes": [], "tldrs": []})
    cleaned = clean_draft(final, ids, fields_by_paper=fields)
    rejected.update(cleaned.rejected)
    dropped.update(cleaned.dropped)
    parts = BriefingParts(
        overview=cleaned.parts.overview,
        themes=tuple(themes),
        connections=cleaned.parts.connections,
        notable=cleaned.parts.notable,
    )
    return Synthesis(parts, answered.model, rejected, dropped)
