"""Per-paper TL;DRs: written once per paper version, stored, shared by every radar.

The first briefing that needs a paper's TL;DR asks the model for it — in English and in
Chinese at once, for a batch of papers per request — and stores it
(:class:`academichub.store.port.SummaryStore`); every later briefing of any radar reads
it. So a paper matched by a thousand radars costs one summary, not a thousand. Within a
process, briefings composed at the same time that need the same paper wait for the one
request already asking for it instead of asking again.

Summary calls are not charged to a radar's or user's daily budget: they are shared, and
bounded by how many papers arrive, not by how many people follow them. They are counted
in the token metrics (task ``tldr``).

A batch the model answers unusably (even after the repair) leaves its papers without a
stored TL;DR — the briefing uses extractive ones and a later briefing asks again — and
does not stop the briefing; an unavailable model does (the composer falls back).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from academichub.briefer.domain.citations import clean_summaries
from academichub.briefer.domain.draft import SUMMARIES_SCHEMA, SummariesDraft
from academichub.briefer.domain.model import ChatModel, ChatRequest, ModelError, may_recover
from academichub.briefer.domain.prompt import DEFAULT_BUDGET, PromptBudget, summary_messages
from academichub.briefer.domain.structured import AskObserver, ask
from academichub.contracts import Paper
from academichub.store.door import AsyncStore
from academichub.store.port import PaperSummary, SummaryStore

log = logging.getLogger(__name__)

Key = tuple[str, int | None]


class SummaryObserver(AskObserver, Protocol):
    def observe_summary_lookups(self, result: str, count: int) -> None:
        """``result``: ``hit`` (stored), ``joined`` (being written by another briefing
        of this process) or ``miss`` (this briefing asks the model)."""
        ...

    def observe_citations_rejected(self, reason: str, count: int) -> None: ...

    def observe_claims_dropped(self, kind: str, count: int) -> None: ...


@dataclass(frozen=True)
class SummaryLookup:
    summaries: dict[Key, PaperSummary]
    failure: ModelError | None = None  # the model is unavailable: some papers lack one


@dataclass(frozen=True)
class _Batch:
    summaries: dict[Key, PaperSummary] = field(default_factory=dict)
    failure: ModelError | None = None


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SummaryCache:
    def __init__(
        self,
        store: AsyncStore[SummaryStore],
        model: ChatModel | None,
        *,
        observer: SummaryObserver,
        batch_size: int = 8,
        concurrency: int = 4,
        output_tokens_per_paper: int = 250,
        budget: PromptBudget = DEFAULT_BUDGET,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._store = store
        self._model = model
        self._observer = observer
        self._batch_size = max(1, batch_size)
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._output_per_paper = output_tokens_per_paper
        self._budget = budget
        self._clock = clock
        self._inflight: dict[Key, asyncio.Future[_Batch]] = {}

    async def cached(self, papers: Sequence[Paper]) -> dict[Key, PaperSummary]:
        """The stored TL;DRs of ``papers``; asks no model."""
        keys = list(dict.fromkeys(p.key for p in papers))
        return await self._store.run(lambda s: s.get_summaries(keys))

    async def summarise(self, papers: Sequence[Paper]) -> SummaryLookup:
        """TL;DRs of ``papers``: stored ones, and the missing ones asked for now."""
        unique = list({p.key: p for p in papers}.values())
        found = await self.cached(unique)
        missing = [p for p in unique if p.key not in found]
        joined = {p.key: self._inflight[p.key] for p in missing if p.key in self._inflight}
        mine = [p for p in missing if p.key not in joined]
        self._observer.observe_summary_lookups("hit", len(found))
        self._observer.observe_summary_lookups("joined", len(joined))
        self._observer.observe_summary_lookups("miss", len(mine))
        if self._model is None:
            return SummaryLookup(found)

        failure: ModelError | None = None
        if mine:
            loop = asyncio.get_running_loop()
            futures = {p.key: loop.create_future() for p in mine}
            self._inflight.update(futures)
            try:
                batches = [
                    mine[i : i + self._batch_size] for i in range(0, len(mine), self._batch_size)
                ]
                results = await asyncio.gather(*(self._ask(b) for b in batches))
            except BaseException:
                for future in futures.values():
                    future.set_result(_Batch())
                raise
            finally:
                for key in futures:
                    self._inflight.pop(key, None)
            for batch, result in zip(batches, results, strict=True):
                for paper in batch:
                    futures[paper.key].set_result(result)
                found.update(result.summaries)
                failure = failure or result.failure
        for key, future in joined.items():
            result = await future
            if key in result.summaries:
                found[key] = result.summaries[key]
            failure = failure or result.failure
        return SummaryLookup(found, failure)

    async def _ask(self, papers: list[Paper]) -> _Batch:
        ids = tuple(p.id for p in papers)
        request = ChatRequest(
            task="tldr",
            messages=tuple(summary_messages(papers, budget=self._budget)),
            schema_name="paper_summaries",
            schema=SUMMARIES_SCHEMA,
            max_output_tokens=100 + self._output_per_paper * len(papers),
            paper_ids=ids,
        )
        assert self._model is not None  # summarise() asks only with a model
        async with self._slots:
            try:
                answered = await ask(self._model, request, SummariesDraft, observer=self._observer)
            except ModelError as exc:
                if may_recover(exc):
                    return _Batch(failure=exc)
                log.warning("TL;DRs of %d papers unusable: %s", len(papers), exc.reason)
                return _Batch()
        cleaned = clean_summaries(answered.value, ids)
        for reason, count in sorted(cleaned.rejected.items()):
            self._observer.observe_citations_rejected(reason, count)
        for kind, count in sorted(cleaned.dropped.items()):
            self._observer.observe_claims_dropped(kind, count)
        now = self._clock()
        summaries = [
            PaperSummary(p.id, p.version, *cleaned.tldrs[p.id], answered.model, now)
            for p in papers
            if p.id in cleaned.tldrs
        ]
        if len(summaries) < len(papers):
            log.warning("the model summarised %d of %d papers", len(summaries), len(papers))
        await self._store.run(lambda s: s.put_summaries(summaries))
        return _Batch(summaries={s.key: s for s in summaries})
