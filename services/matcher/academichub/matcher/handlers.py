"""What the matcher does with the batches its consumer loops hand it.

* :class:`PaperHandler` -- papers: stored, indexed and matched on the store's thread
  (:class:`~academichub.matcher.domain.pipeline.MatchingPipeline` through the door), matches
  published, then marked emitted. Publish first, then remember it was published: a crash
  in between re-emits on replay (at-least-once), and the briefer's queue ignores the
  duplicate.
* :class:`RadarHandler` -- radar changes: applied to the registry on the store's thread,
  where the index is read while matching, never concurrently. A change whose query does
  not parse is poison (:meth:`RadarHandler.check`): the gateway validates queries, so it is
  a producer bug or a forged event.

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
import logging
import time
from collections.abc import Awaitable, Callable

from academichub.broker.publisher import EventPublisher
from academichub.contracts import Match, Paper, RadarChange, TopicName
from academichub.embedding.port import Embedder, EmbeddingUnavailable, Vectors
from academichub.embedding.text import interest_text, paper_text
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
        self._publisher = publisher
        self._metrics = metrics

    async def __call__(self, papers: list[Paper]) -> None:
        started = time.perf_counter()
        outcome: BatchOutcome = await self._pipeline.run(lambda p: p.process(papers))
        for write in outcome.writes:
            self._metrics.papers.labels(outcome=write.value).inc()
        await publish_matches(outcome.to_emit, self._publisher, self._metrics, self._pipeline)
        self._metrics.batch_seconds.observe(time.perf_counter() - started)


async def publish_matches(
    to_emit: list[Match],
    publisher: EventPublisher,
    metrics: MatcherMetrics,
    pipeline: AsyncStore[MatchingPipeline] | AsyncStore[SemanticPipeline],
) -> None:
    """Publish first, then remember it was published (see the module docstring)."""
    if not to_emit:
        return
    await publisher.publish_many(TopicName.MATCHES, [(m.radar_id, m) for m in to_emit])
    await pipeline.run(lambda p: p.emitted(to_emit))
    metrics.matches.inc(len(to_emit))


class RadarHandler:
    def __init__(self, pipeline: AsyncStore[MatchingPipeline], metrics: MatcherMetrics) -> None:
        self._pipeline = pipeline
        self._metrics = metrics

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
        applied, held = await self._pipeline.run(
            lambda p: ([p.registry.apply(c) for c in changes], len(p.registry))
        )
        for change, done in zip(changes, applied, strict=True):
            if done:
                self._metrics.radar_changes.labels(kind=change.kind).inc()
        self._metrics.radars.set(held)


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
        self._publisher = publisher
        self._metrics = metrics

    async def __call__(self, papers: list[Paper]) -> None:
        started = time.perf_counter()
        todo = await self._pipeline.run(lambda p: p.to_embed(papers))
        made: dict[tuple[str, int | None], Vectors] = {}
        if todo:
            vectors = await self._embedding.embed([paper_text(p) for p in todo], "paper")
            made = {p.key: v for p, v in zip(todo, vectors, strict=True)}
        outcome: SemanticOutcome = await self._pipeline.run(lambda p: p.process(papers, made))
        self._metrics.vectors_written.inc(outcome.written)
        await publish_matches(outcome.to_emit, self._publisher, self._metrics, self._pipeline)
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
