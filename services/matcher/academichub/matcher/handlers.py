"""What the matcher does with the batches its consumer loops hand it.

* :class:`PaperHandler` -- papers: stored, indexed and matched on the store's thread
  (:class:`~academichub.matcher.domain.pipeline.MatchingPipeline` through the door), matches
  published (grouped: one event per paper version and partition of ``matches``), then
  marked emitted. Publish first, then remember it was published: a crash
  in between re-emits on replay (at-least-once), and the briefer's queue ignores the
  duplicate.
* :class:`RadarHandler` -- radar changes: applied to the registry on the store's thread,
  where the index is read while matching, never concurrently. A change whose query does
  not parse is poison (:meth:`RadarHandler.check`): the gateway validates queries, so it is
  a producer bug or a forged event. A radar created, or whose query changed, is handed
  to :class:`Backfills`; a deleted one too, to retract its matches.
* :class:`Backfills` -- the backfills of new and changed radars
  (:mod:`academichub.matcher.domain.backfill`), one slice at a time on the store's thread, in
  turn across radars, their matches published as the live ones are.

The embedding role (``MATCHER_ROLE=embed``) has its own two:

* :class:`EmbedHandler` -- papers: those without a stored vector are embedded off the
  store's thread (:func:`asyncio.to_thread`: the model is CPU-bound numpy, which releases
  the GIL), then vectors stored and papers matched on the store's thread
  (:class:`~academichub.matcher.domain.semantic.SemanticPipeline`), matches published and marked
  emitted as above;
* :class:`EmbedRadarHandler` -- radar changes: applied, the described interests without a
  vector embedded and stored, the profiles rebuilt.

Embedding failures: an endpoint that is down (:class:`EmbeddingUnavailable`, after the
adapter's own retries) is tried again with a growing pause, ``attempts`` times in all,
then the failure ends the process (nothing committed: the batch comes back after the
restart); a refused request (:class:`EmbeddingRejected`) is a configuration problem and
ends it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from academichub.broker.partitioning import KeyPartitions
from academichub.broker.publisher import EventPublisher
from academichub.contracts import Paper, RadarChange, TopicName
from academichub.contracts.match_groups import FoundMatches, match_events
from academichub.embedding.port import Embedder, EmbeddingUnavailable, Vectors
from academichub.embedding.text import interest_text, paper_text
from academichub.matcher.domain.backfill import Backfiller, BackfillJob
from academichub.matcher.domain.pipeline import BatchOutcome, MatchingPipeline
from academichub.matcher.domain.semantic import SemanticOutcome, SemanticPipeline
from academichub.matcher.metrics import MatcherMetrics
from academichub.platform.errors import PoisonEvent
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.store.door import AsyncStore

log = logging.getLogger(__name__)


class PaperHandler:
    def __init__(
        self,
        pipeline: AsyncStore[MatchingPipeline],
        publisher: EventPublisher,
        metrics: MatcherMetrics,
    ) -> None:
        self._pipeline = pipeline
        self._metrics = metrics
        self._emit = MatchEmitter(publisher, metrics)

    async def __call__(self, papers: list[Paper]) -> None:
        started = time.perf_counter()
        outcome: BatchOutcome = await self._pipeline.run(lambda p: p.process(papers))
        for write in outcome.writes:
            self._metrics.papers.labels(outcome=write.value).inc()
        await self._emit(outcome.to_emit, self._pipeline)
        self._metrics.batch_seconds.observe(time.perf_counter() - started)


class MatchEmitter:
    """Publish first, then remember it was published (see the module docstring): the
    matches of a batch grouped per paper version and partition of ``matches``
    (:func:`~academichub.contracts.match_groups.match_events`), keyed as the producer
    partitions, the partition of each radar id remembered."""

    def __init__(self, publisher: EventPublisher, metrics: MatcherMetrics) -> None:
        self._publisher = publisher
        self._metrics = metrics
        self._partitions: KeyPartitions | None = None

    async def __call__(
        self,
        to_emit: list[FoundMatches],
        pipeline: AsyncStore[MatchingPipeline] | AsyncStore[SemanticPipeline],
    ) -> None:
        if not to_emit:
            return
        count = await self._publisher.partitions(TopicName.MATCHES)
        if self._partitions is None or self._partitions.count != count:
            self._partitions = KeyPartitions(count)
        await self._publisher.publish_encoded(
            TopicName.MATCHES, match_events(to_emit, self._partitions)
        )
        await pipeline.run(lambda p: p.emitted(to_emit))
        self._metrics.matches.inc(sum(len(found) for found in to_emit))


class RadarHandler:
    def __init__(
        self,
        pipeline: AsyncStore[MatchingPipeline],
        metrics: MatcherMetrics,
        backfills: Backfills | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._metrics = metrics
        self._backfills = backfills

    @staticmethod
    def check(change: RadarChange) -> None:
        """Refuse an upsert whose query does not parse, as poison."""
        if change.radar is not None and change.radar.has_query:
            try:
                parse_query(change.radar.query)
            except QuerySyntaxError as exc:
                raise PoisonEvent(
                    f"radars: radar {change.radar_id} has a query that does not parse: {exc}"
                ) from exc

    async def __call__(self, changes: list[RadarChange]) -> None:
        def apply(p: MatchingPipeline) -> tuple[list[str | None], list[bool], int]:
            before = []
            applied = []
            for change in changes:
                held = p.registry.radars.get(change.radar_id)
                before.append(held.query if held is not None else None)
                applied.append(p.registry.apply(change))
            return before, applied, len(p.registry)

        before, applied, held = await self._pipeline.run(apply)
        for change, query, done in zip(changes, before, applied, strict=True):
            if not done:
                continue
            self._metrics.radar_changes.labels(kind=change.kind).inc()
            if self._backfills is None:
                continue
            if change.radar is None:
                self._backfills.delete(change.radar_id)
            else:
                # A changed query is backfilled (and its stale matches retracted) even
                # if an earlier backfill marked this very query.
                changed = query is not None and query != change.radar.query
                self._backfills.want(change.radar_id, changed=changed)
        self._metrics.radars.set(held)


@dataclass
class _Wanted:
    changed: bool = False  # the query changed: retract, and backfill even if marked
    deleted: bool = False


# Radars started in one call on the store's thread (see Backfills._start_plain).
START_BATCH = 500


class Backfills:
    """The backfills waiting and running, worked one slice at a time in turn, so that a
    broad radar's backfill neither stalls live batches (they queue on the store's thread
    between slices) nor holds up a narrow radar saved after it."""

    def __init__(
        self,
        backfiller: AsyncStore[Backfiller],
        pipeline: AsyncStore[MatchingPipeline],
        publisher: EventPublisher,
        metrics: MatcherMetrics,
    ) -> None:
        self._backfiller = backfiller
        self._pipeline = pipeline
        self._emit = MatchEmitter(publisher, metrics)
        self._metrics = metrics
        self._wanted: dict[str, _Wanted] = {}
        self._running: dict[str, BackfillJob] = {}
        self._wake = asyncio.Event()

    def want(self, radar_id: str, *, changed: bool = False) -> None:
        """Backfill the radar as held when its turn comes (replacing a run in progress)."""
        earlier = self._wanted.get(radar_id)
        changed = changed or (earlier is not None and earlier.changed)
        self._wanted[radar_id] = _Wanted(changed=changed)
        self._wake.set()

    def delete(self, radar_id: str) -> None:
        """Stop the radar's backfill, and retract its matches."""
        self._wanted[radar_id] = _Wanted(deleted=True)
        self._wake.set()

    @property
    def idle(self) -> bool:
        return not self._wanted and not self._running

    async def run(self, stop: asyncio.Event) -> None:
        """Work the backfills until ``stop`` is set."""
        while not stop.is_set():
            if self.idle:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 1.0)
                continue
            await self.work_once(stop)

    async def work_once(self, stop: asyncio.Event | None = None) -> None:
        """Start what is wanted, then one slice of each running backfill (until ``stop``
        is set: at start every radar is wanted, 100,000 of them at institution scale)."""
        while self._wanted and not (stop is not None and stop.is_set()):
            radar_id, wanted = next(iter(self._wanted.items()))
            if wanted.changed or wanted.deleted:
                del self._wanted[radar_id]
                self._running.pop(radar_id, None)
                await self._start(radar_id, wanted)
            else:
                await self._start_plain()
        self._metrics.backfills_running.set(len(self._running))
        for radar_id, job in list(self._running.items()):
            if self._wanted or (stop is not None and stop.is_set()):
                return  # a newer change first: it may replace a running job
            started = time.perf_counter()
            outcome = await self._backfiller.run(lambda b: b.step(job))  # noqa: B023 (awaited at once)
            self._metrics.backfill_slice_seconds.observe(time.perf_counter() - started)
            self._metrics.backfill_papers.inc(outcome.read)
            await self._emit(outcome.to_emit, self._pipeline)
            if job.done:
                mark = await self._backfiller.run(lambda b: b.finish(job))  # noqa: B023 (awaited at once)
                del self._running[radar_id]
                self._metrics.backfills.inc()
                log.info(
                    "radar %s backfilled: %d papers matched from %s to %s",
                    radar_id,
                    mark.papers,
                    mark.first_day,
                    mark.last_day,
                )
        self._metrics.backfills_running.set(len(self._running))

    async def _start_plain(self) -> None:
        """Start the next wanted radars that neither changed nor went, up to
        ``START_BATCH`` in one call on the store's thread: most were backfilled already
        (one look-up of their mark each), and a call per radar would queue 100,000 calls
        among the live batches after a restart."""
        ids: list[str] = []
        for radar_id, wanted in self._wanted.items():
            if wanted.changed or wanted.deleted or len(ids) == START_BATCH:
                break
            ids.append(radar_id)
        for radar_id in ids:
            del self._wanted[radar_id]
            self._running.pop(radar_id, None)
        jobs = await self._backfiller.run(lambda b: [b.start(radar_id) for radar_id in ids])
        for radar_id, job in zip(ids, jobs, strict=True):
            if job is not None:
                self._running[radar_id] = job

    async def _start(self, radar_id: str, wanted: _Wanted) -> None:
        if wanted.deleted:
            gone = await self._backfiller.run(lambda b: b.forget(radar_id))
            self._metrics.retracted.inc(gone)
            return

        def start(b: Backfiller) -> tuple[BackfillJob | None, int]:
            job = b.start(radar_id, force=wanted.changed)
            return job, (b.retract(job) if job is not None and wanted.changed else 0)

        job, gone = await self._backfiller.run(start)
        self._metrics.retracted.inc(gone)
        if gone:
            log.info("radar %s: %d matches retracted (its query changed)", radar_id, gone)
        if job is not None:
            self._running[radar_id] = job


class Embedding:
    """The embedder, called off the event loop and retried while it is unavailable."""

    def __init__(
        self,
        embedder: Embedder,
        metrics: MatcherMetrics,
        *,
        attempts: int = 5,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.embedder = embedder
        self._metrics = metrics
        self._attempts = attempts
        self._pause = pause

    async def embed(self, texts: list[str], kind: str) -> Vectors:
        for attempt in range(1, self._attempts + 1):
            started = time.perf_counter()
            try:
                vectors = await asyncio.to_thread(self.embedder.embed, texts)
            except EmbeddingUnavailable as exc:
                if attempt == self._attempts:
                    raise
                delay = min(60.0, 2.0**attempt)
                log.warning("embedding unavailable (%s); batch tried again in %.0fs", exc, delay)
                await self._pause(delay)
                continue
            self._metrics.embed_seconds.observe(time.perf_counter() - started)
            self._metrics.texts_embedded.labels(kind=kind).inc(len(texts))
            return vectors
        raise AssertionError("unreachable: the last attempt returns or raises")


class EmbedHandler:
    def __init__(
        self,
        pipeline: AsyncStore[SemanticPipeline],
        embedding: Embedding,
        publisher: EventPublisher,
        metrics: MatcherMetrics,
    ) -> None:
        self._pipeline = pipeline
        self._embedding = embedding
        self._metrics = metrics
        self._emit = MatchEmitter(publisher, metrics)

    async def __call__(self, papers: list[Paper]) -> None:
        started = time.perf_counter()
        todo = await self._pipeline.run(lambda p: p.to_embed(papers))
        made: dict[tuple[str, int | None], Vectors] = {}
        if todo:
            vectors = await self._embedding.embed([paper_text(p) for p in todo], "paper")
            made = {p.key: v for p, v in zip(todo, vectors, strict=True)}
        outcome: SemanticOutcome = await self._pipeline.run(lambda p: p.process(papers, made))
        self._metrics.vectors_written.inc(outcome.written)
        await self._emit(outcome.to_emit, self._pipeline)
        # Not batch_seconds: that is the keyword role's (its alert expects seconds, not the
        # tens of seconds an embedding batch takes); embedding has embed_batch_duration.
        log.debug("embedding batch of %d papers: %.1fs", len(papers), time.perf_counter() - started)


class EmbedRadarHandler:
    def __init__(
        self,
        pipeline: AsyncStore[SemanticPipeline],
        embedding: Embedding,
        metrics: MatcherMetrics,
    ) -> None:
        self._pipeline = pipeline
        self._embedding = embedding
        self._metrics = metrics

    async def __call__(self, changes: list[RadarChange]) -> None:
        changed = await self._pipeline.run(lambda p: p.radars.apply(changes))
        await install(self._pipeline, self._embedding, changed, self._metrics)
        for change in changes:
            if change.radar_id in changed:
                self._metrics.radar_changes.labels(kind=change.kind).inc()


async def install(
    pipeline: AsyncStore[SemanticPipeline],
    embedding: Embedding,
    radar_ids: list[str],
    metrics: MatcherMetrics,
) -> None:
    """(Re)build the profiles of ``radar_ids``, embedding and storing their described
    interests that have no vector yet."""
    if not radar_ids:
        return
    missing = await pipeline.run(lambda p: p.radars.missing_interests(p.vectors, radar_ids))
    if missing:
        vectors = await embedding.embed([interest_text(t) for t in missing], "interest")
        await pipeline.run(
            lambda p: p.vectors.put_text_vectors(p.model, dict(zip(missing, vectors, strict=True)))
        )

    def rebuild(p: SemanticPipeline) -> tuple[int, int, int]:
        p.radars.install(p.vectors, radar_ids)
        return len(p.radars), p.radars.scored, p.radars.nbytes()

    held, scored, nbytes = await pipeline.run(rebuild)
    metrics.radars.set(held)
    metrics.semantic_radars.labels(state="held").set(held)
    metrics.semantic_radars.labels(state="scored").set(scored)
    metrics.bank_bytes.set(nbytes)
