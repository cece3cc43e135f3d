"""Telling the matcher about radar changes: an outbox in the store, relayed to ``radars``.

Every radar change is written to the store together with its announcement (the radars
part keeps the change unannounced in the same write: :class:`~academichub.store.port.
RadarStore`), so no crash and no broker outage can leave a change stored but never
announced. The request that made the change then publishes it at once, bounded in time,
and marks it announced once the broker acknowledged it; if that fails, the request still
succeeds -- the change is saved and waits in the outbox -- and the failure is logged and
counted. :meth:`RadarAnnouncer.relay` publishes whatever waits, every few seconds, in
every gateway replica: a change announced twice is harmless (the matcher applies a
revision once), and after a broker restart that lost the topic the matcher re-reads its
radars from the store anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from academichub.broker.publisher import EventPublisher
from academichub.contracts import RadarChange, TopicName
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.metrics import GatewayMetrics
from academichub.platform.errors import TransientError
from academichub.store.door import AsyncStore

log = logging.getLogger(__name__)

# Changes relayed per pass; more wait for the next pass.
RELAY_BATCH = 100


class RadarAnnouncer:
    def __init__(
        self,
        publisher: EventPublisher,
        store: AsyncStore[GatewayStore],
        metrics: GatewayMetrics,
        timeout_seconds: float,
    ) -> None:
        self._publisher = publisher
        self._store = store
        self._metrics = metrics
        self._timeout = timeout_seconds

    async def announce(self, change: RadarChange) -> bool:
        """Publish ``change`` (keyed by radar id) and mark it announced; False (logged and
        counted, the change left to :meth:`relay`) if the broker did not acknowledge it."""
        outcome = await self._publish(change, "published")
        if outcome:
            await self._mark(change)
        return outcome

    async def relay_once(self) -> int:
        """Publish the changes waiting in the outbox; return how many went out."""
        waiting = await self._store.run(lambda s: s.radars.unannounced_changes(RELAY_BATCH))
        self._metrics.unannounced.set(len(waiting))
        relayed = 0
        for change in waiting:
            if not await self._publish(change, "relayed"):
                break  # the broker is away: the rest waits for the next pass
            await self._mark(change)
            relayed += 1
        if relayed:
            log.info("relayed %d radar change(s) from the outbox", relayed)
            self._metrics.unannounced.set(len(waiting) - relayed)
        return relayed

    async def relay(self, stop: asyncio.Event, *, interval: float) -> None:
        """Run :meth:`relay_once` every ``interval`` seconds until ``stop`` is set. A store
        that does not answer is retried at the next pass; a bug propagates."""
        while not stop.is_set():
            try:
                await self.relay_once()
            except TransientError as exc:
                log.warning("radar outbox not relayed: %s (next pass in %gs)", exc, interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    async def _mark(self, change: RadarChange) -> None:
        await self._store.run(lambda s: s.radars.mark_announced(change.radar_id, change.revision))

    async def _publish(self, change: RadarChange, success: str) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                await self._publisher.publish(TopicName.RADARS, change.radar_id, change)
        # Any failure here means the same thing (not announced yet: the outbox keeps it),
        # and the broker client raises several unrelated types (KafkaError, OSError,
        # timeouts, a refusal).
        except Exception as exc:
            self._metrics.radar_changes.labels(kind=change.kind, outcome="failed").inc()
            log.warning(
                "radar %s revision %d not announced yet (%s); it waits in the outbox",
                change.radar_id,
                change.revision,
                str(exc) or type(exc).__name__,
            )
            return False
        self._metrics.radar_changes.labels(kind=change.kind, outcome=success).inc()
        return True
