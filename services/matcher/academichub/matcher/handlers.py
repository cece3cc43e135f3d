"""What the matcher does with the batches its two consumer loops hand it.

* :class:`PaperHandler` -- papers: stored, indexed and matched on the store's thread
  (:class:`~academichub.matcher.pipeline.MatchingPipeline` through the door), matches
  published, then marked emitted. Publish first, then remember it was published: a crash
  in between re-emits on replay (at-least-once), and the briefer's queue ignores the
  duplicate.
* :class:`RadarHandler` -- radar changes: applied to the registry on the store's thread,
  where the index is read while matching, never concurrently. A change whose query does
  not parse is poison (:meth:`RadarHandler.check`): the gateway validates queries, so it is
  a producer bug or a forged event.
"""

from __future__ import annotations

import time

from academichub.broker.publisher import EventPublisher
from academichub.contracts import Paper, RadarChange, TopicName
from academichub.matcher.metrics import MatcherMetrics
from academichub.matcher.pipeline import BatchOutcome, MatchingPipeline
from academichub.platform.errors import PoisonEvent
from academichub.radar.parser import QuerySyntaxError, parse_query
from academichub.store.door import AsyncStore


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
        to_emit = outcome.to_emit
        if to_emit:
            await self._publisher.publish_many(
                TopicName.MATCHES, [(m.radar_id, m) for m in to_emit]
            )
            await self._pipeline.run(lambda p: p.emitted(to_emit))
            self._metrics.matches.inc(len(to_emit))
        self._metrics.batch_seconds.observe(time.perf_counter() - started)


class RadarHandler:
    def __init__(self, pipeline: AsyncStore[MatchingPipeline], metrics: MatcherMetrics) -> None:
        self._pipeline = pipeline
        self._metrics = metrics

    @staticmethod
    def check(change: RadarChange) -> None:
        """Refuse an upsert whose query does not parse, as poison."""
        if change.radar is not None:
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
