"""Follow the ``radars`` topic from its start, in every replica.

No consumer group: each matcher replica assigns itself every partition and reads
from offset 0, because each must hold every radar. Replays are harmless: the
registry applies a change only if its revision is newer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from academichub.broker.dead_letters import dead_letter
from academichub.broker.publisher import EventPublisher
from academichub.contracts import RadarChange, TopicName, decode_event
from academichub.platform.errors import PoisonEvent
from academichub.radar.parser import QuerySyntaxError

log = logging.getLogger(__name__)

ApplyChange = Callable[[RadarChange], Awaitable[bool]]


async def follow_radars(
    bootstrap_servers: str,
    apply: ApplyChange,
    publisher: EventPublisher,
    *,
    service: str,
) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id=f"{service}-radars",
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(str(TopicName.RADARS)) or {0}
        assigned = [TopicPartition(str(TopicName.RADARS), p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for messages in batch.values():
                for message in messages:
                    await _handle(message, apply, publisher, service)
    finally:
        await consumer.stop()


async def _handle(
    message: object, apply: ApplyChange, publisher: EventPublisher, service: str
) -> None:
    value: bytes | None = getattr(message, "value", None)
    try:
        change = decode_event(TopicName.RADARS, value)
        assert isinstance(change, RadarChange)
        await apply(change)
    except (PoisonEvent, QuerySyntaxError) as exc:
        await dead_letter(
            publisher,
            topic=TopicName.RADARS,
            partition=int(getattr(message, "partition", 0)),
            offset=int(getattr(message, "offset", -1)),
            key=getattr(message, "key", None),
            value=value,
            error=str(exc),
            service=service,
        )
