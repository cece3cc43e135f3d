"""Papers the broker lost are published again: the ingestor's sent outbox, reconciled.

Every paper the ingestor publishes is kept in the store's sent outbox
(:class:`~academichub.store.port.IngestStateStore`) until the store is seen to hold that
(id, version): a broker that loses the ``papers`` topic (Tansu keeps topics in memory; an
operator deletes a Kafka topic) loses what the matcher had not consumed yet, and the
ingestor, which marked those keys published, would never send them again. Each pass
(:meth:`SentReconciler.reconcile_once`):

1. takes the kept papers whose check is due (first ``check_after`` after they were sent);
2. forgets those the store holds (:meth:`~academichub.store.port.PaperStore.held_versions`);
3. publishes the others again, and checks each next after ``check_after`` times 2 per
   attempt, up to ``retry_max`` (a matcher that is merely down for a while finds them on
   the topic; doubling bounds the duplicates it then reads, all harmless);
4. keeps the outbox within ``keep`` papers, forgetting the oldest (counted).

A broker that is away fails the publish: nothing is rescheduled, the next pass tries
again. A paper refused for good (over the event size: it was accepted once, so the limit
changed) is forgotten, logged and counted. The metrics say how many papers were sent
again and are still not stored (``academichub_ingestor_unstored_papers``, which an alert
watches), and how large the outbox is.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from academichub.broker.publisher import EventPublisher, PublishRefused
from academichub.contracts import TopicName
from academichub.ingestor.metrics import IngestorMetrics
from academichub.platform.errors import TransientError
from academichub.store.door import AsyncStore
from academichub.store.port import IngestStateStore, PaperStore

log = logging.getLogger(__name__)

BATCH = 500
Key = tuple[str, int | None]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ReconcileReport:
    due: int  # kept papers whose check was due
    stored: int  # of those, held by the store: forgotten
    republished: int  # published again
    refused: int = 0  # refused for good: forgotten
    evicted: int = 0  # forgotten to keep the outbox bounded


@dataclass
class SentReconciler:
    state: AsyncStore[IngestStateStore]
    papers: AsyncStore[PaperStore]
    publisher: EventPublisher
    metrics: IngestorMetrics
    check_after: dt.timedelta
    retry_max: dt.timedelta
    keep: int
    clock: Callable[[], dt.datetime] = field(default=_utcnow)
    batch: int = BATCH

    async def reconcile_once(self) -> ReconcileReport:
        """One pass (module docstring); raises TransientError if the broker is away."""
        now = self.clock()
        due = await self.state.run(lambda s: s.sent_papers_due(now, self.batch))
        report = ReconcileReport(0, 0, 0)
        if due:
            keys = [d.paper.key for d in due]
            held = await self.papers.run(lambda p: p.held_versions(keys))
            lost = [d for d in due if d.paper.key not in held]
            refused: set[str] = set()
            if lost:
                try:
                    await self.publisher.publish_many(
                        TopicName.PAPERS, [(d.paper.id, d.paper) for d in lost]
                    )
                except PublishRefused as exc:
                    refused = {r.key for r in exc.refused}
                    for refusal in exc.refused:
                        log.error("%s cannot be published again: %s", refusal.key, refusal.reason)
            again = [d for d in lost if d.paper.id not in refused]
            resent: list[tuple[Key, dt.datetime]] = [
                (d.paper.key, now + min(self.retry_max, self.check_after * 2**d.attempts))
                for d in again
            ]
            gone = [d.paper.key for d in lost if d.paper.id in refused]
            await self.state.run(lambda s: s.settle_sent([*held, *gone], resent))
            report = ReconcileReport(len(due), len(held), len(again), len(gone))
            self.metrics.republished.inc(len(again))
            if again:
                log.warning(
                    "%d of %d papers published over %s ago are not stored (the broker lost "
                    "them): published again",
                    len(again),
                    len(due),
                    self.check_after,
                )
        evicted = await self.state.run(lambda s: s.trim_sent(self.keep))
        if evicted:
            self.metrics.sent_evicted.inc(evicted)
            log.error(
                "the sent outbox held over %d papers: the %d oldest are forgotten (their "
                "storage is no longer checked)",
                self.keep,
                evicted,
            )
        kept, unstored = await self.state.run(
            lambda s: (s.count_sent(), s.count_sent(min_attempts=1))
        )
        self.metrics.sent.set(kept)
        self.metrics.unstored.set(unstored)
        return ReconcileReport(
            report.due, report.stored, report.republished, report.refused, evicted
        )

    async def run(self, stop: asyncio.Event, *, interval: float) -> None:
        """A pass every ``interval`` seconds until ``stop`` is set; a pass that meets a
        broker or store that is away is logged, and the next pass tries again."""
        while not stop.is_set():
            try:
                await self.reconcile_once()
            except TransientError as exc:
                log.warning("sent outbox not reconciled: %s (next pass in %gs)", exc, interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
