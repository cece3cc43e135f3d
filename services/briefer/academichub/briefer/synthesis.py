"""The model's part of a briefing: planned to fit a token budget, direct or staged.

:func:`plan` decides, before any call, how the window is briefed:

- **direct** — one request with every paper's abstract and TL;DR asks for the overview,
  themes, connections and notable papers. Used up to ``staged_above`` papers when it
  fits the per-briefing budget.
- **staged** — for larger windows (or a direct request that does not fit): the papers
  are grouped by theme and field (the extractive grouping), one request per group
  writes that theme from the papers' TL;DRs, and a last request writes the overview,
  connections and notable papers from the themes and the TL;DRs. If even that does not
  fit, the best-matching papers that fit are briefed and the rest are listed in
  ``omitted`` — never cut silently.

Every request's cost is estimated from the messages actually built
(:mod:`.tokens`), plus its answer cap. :func:`run` sends the plan's requests; each
answer is held to its papers (:mod:`.citations`). A theme the model cannot write
usably keeps its extractive version. Model failures and an exhausted budget propagate
to the composer, which falls back.

Pure: async, but no I/O of its own (the model is a port).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from academichub.briefer.citations import clean_draft, clean_theme
from academichub.briefer.draft import (
    BRIEFING_SCHEMA,
    SYNTHESIS_SCHEMA,
    THEME_SCHEMA,
    BriefingDraft,
    BriefingParts,
    DraftTheme,
)
from academichub.briefer.extractive import group_papers
from academichub.briefer.fields import paper_field
from academichub.briefer.model import ChatModel, ChatRequest, ModelOutputInvalid
from academichub.briefer.prompt import (
    DEFAULT_BUDGET,
    PromptBudget,
    build_messages,
    synthesis_messages,
    theme_messages,
)
from academichub.briefer.structured import AskObserver, ask, request_estimate
from academichub.briefer.tokens import TokenMeter
from academichub.contracts import Paper, Radar, Theme

Mode = Literal["direct", "staged"]


@dataclass(frozen=True)
class SynthesisLimits:
    staged_above: int = 25  # more papers than this are briefed in stages
    briefing_tokens: int = 48_000  # what one briefing's requests may cost in all
    briefing_output_tokens: int = 3_000
    theme_output_tokens: int = 800
    max_groups: int = 8
    concurrency: int = 4  # theme requests in flight at once


@dataclass(frozen=True)
class Plan:
    mode: Mode
    included: tuple[Paper, ...]  # best match first
    omitted: tuple[str, ...]  # window papers that did not fit the budget
    estimate: int  # tokens, at most
    groups: tuple[Theme, ...] = ()  # staged: extractive themes, one per theme request
    direct: ChatRequest | None = None


@dataclass
class Synthesis:
    parts: BriefingParts  # without TL;DRs (they come from the summary cache)
    model: str
    rejected: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    themes_kept_extractive: int = 0


@dataclass(frozen=True)
class _Context:
    radar: Radar
    tldrs: Mapping[str, str]
    limits: SynthesisLimits
    budget: PromptBudget


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
            )
        ),
        schema_name="briefing",
        schema=BRIEFING_SCHEMA,
        max_output_tokens=ctx.limits.briefing_output_tokens,
        paper_ids=tuple(p.id for p in papers),
        language=ctx.radar.language,
    )


def _theme_request(group: Theme, papers: Sequence[Paper], ctx: _Context) -> ChatRequest:
    return ChatRequest(
        task="theme",
        messages=tuple(
            theme_messages(
                papers,
                tldrs=ctx.tldrs,
                language=ctx.radar.language,
                label=group.title,
                radar_name=ctx.radar.name,
                radar_query=ctx.radar.query,
                budget=ctx.budget,
            )
        ),
        schema_name="theme",
        schema=THEME_SCHEMA,
        max_output_tokens=ctx.limits.theme_output_tokens,
        paper_ids=tuple(p.id for p in papers),
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


def _staged(papers: Sequence[Paper], ctx: _Context) -> tuple[int, tuple[Theme, ...]]:
    """The estimated cost of briefing ``papers`` in stages, and its groups."""
    groups = tuple(
        group_papers(papers, language=ctx.radar.language, max_groups=ctx.limits.max_groups)
    )
    cost = sum(request_estimate(_theme_request(g, _members(g, papers), ctx)) for g in groups)
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
) -> Plan | None:
    """How to brief ``papers`` (best match first) within ``limits.briefing_tokens``;
    None when not even the best paper fits."""
    ctx = _Context(radar, tldrs, limits, budget)
    cap = limits.briefing_tokens
    if len(papers) <= limits.staged_above:
        direct = _direct_request(papers, ctx)
        estimate = request_estimate(direct)
        if estimate <= cap:
            return Plan("direct", tuple(papers), (), estimate, direct=direct)

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
) -> Synthesis:
    """Send the plan's requests; raises ModelError or BudgetExhausted."""
    ctx = _Context(radar, tldrs, limits, budget)
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
    kept_extractive = 0

    async def write_theme(group: Theme) -> Theme | None:
        members = _members(group, planned.included)
        async with slots:
            try:
                answered = await ask(
                    model,
                    _theme_request(group, members, ctx),
                    DraftTheme,
                    meter=meter,
                    observer=observer,
                )
            except ModelOutputInvalid:
                return None
        cleaned = clean_theme(answered.value, group.paper_ids)
        rejected.update(cleaned.rejected)
        dropped.update(cleaned.dropped)
        return cleaned.theme

    # Every theme request runs to its end (none is left running behind a failure);
    # then the first failure, if any, ends the briefing.
    written = await asyncio.gather(
        *(write_theme(g) for g in planned.groups), return_exceptions=True
    )
    for outcome in written:
        if isinstance(outcome, BaseException):
            raise outcome
    themes: list[Theme] = []
    for group, theme in zip(planned.groups, written, strict=True):
        if isinstance(theme, BaseException):  # raised above; narrows the type
            raise theme
        if theme is None:
            kept_extractive += 1
            themes.append(group)
        else:
            themes.append(theme)

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
    return Synthesis(parts, answered.model, rejected, dropped, kept_extractive)
