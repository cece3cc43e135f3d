"""Telling the matcher about radar changes: publish to the radars topic, bounded in time.

The store is written first and is the source of truth (the matcher reloads every
radar from it on start), so a change that cannot be published is not lost: it is
reported to the client as :class:`~academichub.gateway.errors.PublishFailed`, with
what was saved and how to announce it again.
"""

from __future__ import annotations

import asyncio
import logging

from academichub.broker.publisher import EventPublisher
from academichub.contracts import RadarChange, TopicName
from academichub.gateway.errors import PublishFailed
from academichub.gateway.metrics import GatewayMetrics

log = logging.getLogger(__name__)


class RadarAnnouncer:
    def __init__(
        self, publisher: EventPublisher, metrics: GatewayMetrics, timeout_seconds: float
    ) -> None:
        self._publisher = publisher
        self._metrics = metrics
        self._timeout = timeout_seconds

    async def announce(self, change: RadarChange) -> None:
        """Publish ``change`` keyed by radar id; raise PublishFailed if it was not acknowledged."""
        try:
            async with asyncio.timeout(self._timeout):
                await self._publisher.publish(TopicName.RADARS, change.radar_id, change)
        # Any failure here means the same thing to the client (saved, not announced), and
        # the broker client raises several unrelated types (KafkaError, OSError, timeouts).
        except Exception as exc:
            self._metrics.radar_changes.labels(kind=change.kind, outcome="failed").inc()
            reason = str(exc) or type(exc).__name__
            log.warning(
                "radar %s revision %d not published: %s", change.radar_id, change.revision, reason
            )
            raise PublishFailed(
                _failure_message(change, reason),
                radar_id=change.radar_id,
                revision=change.revision,
            ) from exc
        self._metrics.radar_changes.labels(kind=change.kind, outcome="published").inc()


def _failure_message(change: RadarChange, reason: str) -> str:
    if change.kind == "delete":
        return (
            f"radar {change.radar_id} was deleted, but the matcher could not be told ({reason}); "
            "it stops matching the radar when it next reloads radars from the store"
        )
    return (
        f"radar {change.radar_id} was saved (revision {change.revision}), but the matcher could "
        f"not be told ({reason}); it picks the change up when it next reloads radars from the "
        f"store, or announce it now with PUT /api/radars/{change.radar_id} and an empty body"
    )
