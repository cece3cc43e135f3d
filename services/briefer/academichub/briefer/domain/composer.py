"""Turn a window's papers into a :class:`~academichub.contracts.Briefing`.

The one code path for the service's window closer, its upgrader and the CLI. Every
window is first planned extractively (:func:`.extractive.plan_window`, with vectors from
the configured :class:`~.vectors.PaperVectorSource` and phrase frequencies from the
store, :mod:`.corpus`): that plan is the briefing without a model, and the plan a model
refines. With a model:

1. the radar's **daily budget** (:mod:`.budget`) is checked — spent: extractive;
2. the papers' **TL;DRs** come from the shared cache (:mod:`.summaries`), asked for
   once per paper version when missing;
3. the briefing is **planned** within the per-briefing token budget (direct or staged,
   :mod:`.synthesis`) — papers that do not fit are listed in ``omitted_paper_ids`` — and
   a plan costing more than the daily budget has left is written extractively;
4. the model writes it; every citation is held to the window (:mod:`.citations`) and
   what was removed is counted; the TL;DRs are added in the radar's language.

Whoever wrote it, every text field of the briefing -- the degraded reason and the model's
name included -- finally passes the same check (:func:`.citations.hold_to_window`), so a
published briefing names no paper outside its window anywhere.

When the model fails or its answer cites nothing usable, the extractive summariser
writes the briefing, marked ``degraded`` with the reason, with whatever model TL;DRs are
already cached. So does a model that takes longer than the per-window deadline
(``deadline_seconds``): its calls are cancelled and the window is briefed at once, instead
of waiting out timeouts and retries. :attr:`Composed.upgradable` says whether the failure
may pass (the endpoint was unavailable, refused the call, or was too slow), so the service
can rewrite the briefing when the model is back. Without a model the extractive briefing
is the intended path, not degraded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from academichub.briefer.domain.breaker import CircuitBreaker
from academichub.briefer.domain.budget import Allowance, TokenLedger
from academichub.briefer.domain.citations import hold_to_window
from academichub.briefer.domain.corpus import PhraseStatistics
from academichub.briefer.domain.draft import BriefingParts
from academichub.briefer.domain.extractive import WindowPlan, candidate_keys, plan_window, render
from academichub.briefer.domain.model import ChatModel, ModelError, may_recover
from academichub.briefer.domain.prompt import DEFAULT_BUDGET, PromptBudget
from academichub.briefer.domain.structured import AskObserver
from academichub.briefer.domain.summaries import SummaryCache
from academichub.briefer.domain.synthesis import Mode, SynthesisLimits, plan, run
from academichub.briefer.domain.tokens import BudgetExhausted, TokenMeter
from academichub.briefer.domain.vectors import PaperVectorSource
from academichub.contracts import Briefing, Paper, PaperTldr, Radar
from academichub.store.port import PaperSummary

log = logging.getLogger(__name__)

EXTRACTIVE: Final = "extractive"


class ComposeObserver(AskObserver, Protocol):
    def observe_citations_rejected(self, reason: str, count: int) -> None: ...

    def observe_claims_dropped(self, kind: str, count: int) -> None: ...

    def observe_budget_fallback(self, scope: str) -> None: ...

    def observe_synthesis(self, mode: Mode, included: int, omitted: int) -> None: ...

    def observe_model_deadline(self) -> None: ...


class _NoObserver:
    def observe_llm_tokens(self, model: str, task: str, prompt: int, completion: int) -> None:
        pass

    def observe_invalid_reply(self, task: str) -> None:
        pass

    def observe_citations_rejected(self, reason: str, count: int) -> None:
        pass

    def observe_claims_dropped(self, kind: str, count: int) -> None:
        pass

    def observe_budget_fallback(self, scope: str) -> None:
        pass

    def observe_synthesis(self, mode: Mode, included: int, omitted: int) -> None:
        pass

    def observe_model_deadline(self) -> None:
        pass


Fallback = Literal["model_down", "model_slow", "model_output", "budget"]


@dataclass(frozen=True)
class Composed:
    briefing: Briefing
    # Why a model briefing fell back to extractive: the endpoint was unavailable or
    # refused ("model_down", may pass), did not finish within the window's deadline
    # ("model_slow", may pass), its answers were unusable ("model_output"), or a token
    # budget stood in the way ("budget"). None when nothing fell back.
    fallback: Fallback | None = None

    @property
    def upgradable(self) -> bool:
        return self.fallback in ("model_down", "model_slow")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class _Window:
    papers: tuple[Paper, ...]
    radar: Radar
    window: int
    scores: Mapping[str, float]
    omitted: tuple[str, ...]
    opened_at: dt.datetime | None
    closed_at: dt.datetime
    outline: WindowPlan  # the extractive plan: the briefing without a model, a model's plan


class Composer:
    """Writes briefings; one per process, shared by the closer, the upgrader and the CLI."""

    def __init__(
        self,
        *,
        model: ChatModel | None,
        summaries: SummaryCache | None = None,
        ledger: TokenLedger | None = None,
        limits: SynthesisLimits | None = None,
        prompt_budget: PromptBudget = DEFAULT_BUDGET,
        observer: ComposeObserver | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        deadline_seconds: float | None = None,
        vectors: PaperVectorSource | None = None,
        statistics: PhraseStatistics | None = None,
    ) -> None:
        self.model = model
        self._vectors = vectors
        self._statistics = statistics
        self._deadline = deadline_seconds
        self._summaries = summaries
        self._ledger = ledger
        self._limits = limits or SynthesisLimits()
        self._prompt_budget = prompt_budget
        self._observer: ComposeObserver = observer or _NoObserver()
        self._clock = clock

    def model_ready(self) -> bool:
        """Whether a model call now could reach the model (worth an upgrade attempt)."""
        if self.model is None:
            return False
        return self.model.ready() if isinstance(self.model, CircuitBreaker) else True

    async def spent_budget(self, radar: Radar) -> str | None:
        """Why the radar may not use the model today, or None if it may."""
        if self._ledger is None:
            return None
        allowance = await self._ledger.allowance(radar)
        return allowance.reason() if allowance.blocked() else None

    async def compose(
        self,
        papers: Sequence[Paper],
        *,
        radar: Radar,
        window: int,
        scores: Mapping[str, float] | None = None,
        omitted_paper_ids: Sequence[str] = (),
        opened_at: dt.datetime | None = None,
        closed_at: dt.datetime | None = None,
    ) -> Composed:
        """The briefing of window ``window`` of ``radar`` over ``papers``.

        ``papers`` come best match first (that order is kept in ``paper_ids``); ``scores``
        (paper id -> match score) informs the extractive choice of notable papers.
        ``opened_at``/``closed_at`` default to now. Raises only for bugs and store
        failures: every model failure ends in the extractive fallback.
        """
        unique: list[Paper] = []
        for paper in papers:
            if all(paper.id != kept.id for kept in unique):
                unique.append(paper)  # the first, best-ranked, occurrence wins
        w = _Window(
            tuple(unique),
            radar,
            window,
            scores or {},
            tuple(omitted_paper_ids),
            opened_at,
            closed_at or self._clock(),
            await self._outline(unique, scores or {}),
        )
        if self.model is None or not unique:
            return Composed(self._extractive(w, {}, None))
        if self._deadline is None:
            return await self._with_model(self.model, w)
        deadline = asyncio.timeout(self._deadline)
        try:
            async with deadline:
                return await self._with_model(self.model, w)
        except TimeoutError:
            if not deadline.expired():
                raise  # not this deadline's: a bug, not a slow model
        self._observer.observe_model_deadline()
        reason = f"the model did not finish within the window's deadline of {self._deadline:g}s"
        return self._fallback(w, await self._cached(w), reason, "model_slow")

    async def _outline(self, papers: Sequence[Paper], scores: Mapping[str, float]) -> WindowPlan:
        """The extractive plan of the window: themes, connections, TL;DRs.

        Vectors come from the configured source; where it has none for every paper
        (none configured, the endpoint down) :func:`plan_window` uses TF-IDF, and the
        briefing says so. Phrase frequencies come from the store's index when given.
        """
        vectors = await self._vectors.vectors(papers) if self._vectors and papers else None
        counts = None
        if self._statistics is not None and papers:
            counts = await self._statistics.phrase_frequencies(candidate_keys(papers))
        return plan_window(papers, scores=scores, vectors=vectors, corpus=counts)

    async def _with_model(self, model: ChatModel, w: _Window) -> Composed:
        allowance: Allowance | None = None
        if self._ledger is not None:
            allowance = await self._ledger.allowance(w.radar)
            if allowance.blocked():
                self._observer.observe_budget_fallback(allowance.scope)
                return self._fallback(w, await self._cached(w), allowance.reason(), "budget")

        summaries: dict[tuple[str, int | None], PaperSummary] = {}
        if self._summaries is not None:
            lookup = await self._summaries.summarise(w.papers)
            summaries = lookup.summaries
            if lookup.failure is not None:
                reason = f"model failed: {lookup.failure.reason}"
                return self._fallback(w, summaries, reason, "model_down")

        extractive = dict(w.outline.tldrs)
        tldrs_en = {
            p.id: summaries[p.key].tldr_en if p.key in summaries else extractive[p.id]
            for p in w.papers
        }
        planned = plan(
            w.papers,
            radar=w.radar,
            tldrs=tldrs_en,
            limits=self._limits,
            budget=self._prompt_budget,
            outline=w.outline,
        )
        if planned is None:
            reason = (
                f"the per-briefing token budget ({self._limits.briefing_tokens} tokens) "
                "cannot fit even one paper"
            )
            self._observer.observe_budget_fallback("briefing")
            return self._fallback(w, summaries, reason, "budget")
        if allowance is not None and planned.estimate > allowance.remaining:
            self._observer.observe_budget_fallback(allowance.scope)
            return self._fallback(w, summaries, allowance.reason(planned.estimate), "budget")
        self._observer.observe_synthesis(planned.mode, len(planned.included), len(planned.omitted))

        meter = TokenMeter(self._limits.briefing_tokens)
        try:
            synthesis = await run(
                model,
                planned,
                radar=w.radar,
                tldrs=tldrs_en,
                limits=self._limits,
                meter=meter,
                observer=self._observer,
                budget=self._prompt_budget,
                outline=w.outline,
            )
        except ModelError as exc:
            cause: Fallback = "model_down" if may_recover(exc) else "model_output"
            return self._fallback(w, summaries, f"model failed: {exc.reason}", cause)
        except BudgetExhausted as exc:
            self._observer.observe_budget_fallback("briefing")
            return self._fallback(w, summaries, f"token budget: {exc}", "budget")
        finally:
            # Tokens spent are charged even when the briefing falls back.
            if self._ledger is not None:
                await self._ledger.charge(w.radar, meter.spent.total)

        self._report(w, synthesis.rejected, synthesis.dropped)
        if not synthesis.parts.has_cited_content():
            reason = "model draft cited no paper of the window"
            return self._fallback(w, summaries, reason, "model_output")
        included = planned.included
        tldrs = self._tldrs(included, summaries, extractive, w)
        parts = BriefingParts(
            overview=synthesis.parts.overview,
            themes=synthesis.parts.themes,
            connections=synthesis.parts.connections,
            notable=synthesis.parts.notable,
            tldrs=tldrs,
        )
        briefing = self._briefing(
            w,
            parts,
            included,
            provider=model.provider,
            model=synthesis.model,
            omitted=(*planned.omitted, *w.omitted),
        )
        return Composed(briefing)

    async def _cached(self, w: _Window) -> dict[tuple[str, int | None], PaperSummary]:
        return await self._summaries.cached(w.papers) if self._summaries is not None else {}

    def _report(self, w: _Window, rejected: Mapping[str, int], dropped: Mapping[str, int]) -> None:
        for reason, count in sorted(rejected.items()):
            self._observer.observe_citations_rejected(reason, count)
        for kind, count in sorted(dropped.items()):
            self._observer.observe_claims_dropped(kind, count)
        if rejected or dropped:
            log.warning(
                "briefing %s: removed citations %s, dropped claims %s",
                Briefing.make_id(w.radar.id, w.window),
                dict(rejected),
                dict(dropped),
            )

    def _tldrs(
        self,
        papers: Sequence[Paper],
        summaries: Mapping[tuple[str, int | None], PaperSummary],
        extractive: Mapping[str, str],
        w: _Window,
    ) -> tuple[PaperTldr, ...]:
        out: list[PaperTldr] = []
        for paper in papers:
            summary = summaries.get(paper.key)
            if summary is not None:
                text = summary.tldr_zh if w.radar.language == "zh" else summary.tldr_en
            else:
                text = extractive[paper.id]
            out.append(PaperTldr(paper_id=paper.id, tldr=text))
        return tuple(out)

    def _fallback(
        self,
        w: _Window,
        summaries: Mapping[tuple[str, int | None], PaperSummary],
        reason: str,
        cause: Fallback,
    ) -> Composed:
        log.warning(
            "briefing %s falls back to extractive: %s",
            Briefing.make_id(w.radar.id, w.window),
            reason,
        )
        return Composed(self._extractive(w, summaries, reason[:500]), cause)

    def _extractive(
        self,
        w: _Window,
        summaries: Mapping[tuple[str, int | None], PaperSummary],
        degraded_reason: str | None,
    ) -> Briefing:
        parts = render(w.outline, w.radar.language)
        if summaries:
            # Model TL;DRs already paid for are better than extracted sentences.
            extracted = {t.paper_id: t.tldr for t in parts.tldrs}
            parts = BriefingParts(
                overview=parts.overview,
                themes=parts.themes,
                connections=parts.connections,
                notable=parts.notable,
                tldrs=self._tldrs(w.papers, summaries, extracted, w),
            )
        return self._briefing(
            w,
            parts,
            w.papers,
            provider=EXTRACTIVE,
            model=None,
            omitted=w.omitted,
            degraded_reason=degraded_reason,
        )

    def _briefing(
        self,
        w: _Window,
        parts: BriefingParts,
        papers: Sequence[Paper],
        *,
        provider: str,
        model: str | None,
        omitted: Sequence[str],
        degraded_reason: str | None = None,
    ) -> Briefing:
        ids = tuple(p.id for p in papers)
        held = hold_to_window(parts, ids, degraded_reason=degraded_reason, model=model)
        for reason, count in sorted(held.rejected.items()):
            self._observer.observe_citations_rejected(reason, count)
        parts = held.parts
        return Briefing(
            id=Briefing.make_id(w.radar.id, w.window),
            radar_id=w.radar.id,
            window=w.window,
            language=w.radar.language,
            provider=provider,
            model=held.model,
            degraded=degraded_reason is not None,
            degraded_reason=held.degraded_reason,
            overview=parts.overview,
            themes=parts.themes,
            connections=parts.connections,
            notable=parts.notable,
            tldrs=parts.tldrs,
            paper_ids=ids,
            omitted_paper_ids=tuple(i for i in dict.fromkeys(omitted) if i not in ids),
            window_opened_at=w.opened_at or w.closed_at,
            window_closed_at=w.closed_at,
            created_at=self._clock(),
        )
