"""The ``matches`` source over an aiokafka consumer (the service's Kafka edge)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer

from academichub.briefer.service import RawEvent
from academichub.contracts import TopicName


def matches_consumer(bootstrap_servers: str, *, group_id: str, client_id: str) -> AIOKafkaConsumer:
    """A consumer of ``matches`` whose offsets move only when the service commits them.

    ``earliest`` because Tansu's LATEST offsets are unreliable and a new group must not
    skip matches; replays are harmless since enqueueing is idempotent.
    """
    return AIOKafkaConsumer(
        str(TopicName.MATCHES),
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )


class KafkaMatchSource:
    def __init__(self, consumer: AIOKafkaConsumer, *, max_records: int = 500) -> None:
        self._consumer = consumer
        self._max_records = max_records

    async def poll(self, wait_seconds: float) -> list[RawEvent]:
        batches = await self._consumer.getmany(
            timeout_ms=int(wait_seconds * 1000), max_records=self._max_records
        )
        return [
            RawEvent(partition=r.partition, offset=r.offset, key=r.key, value=r.value)
            for records in batches.values()
            for r in records
        ]

    async def commit(self) -> None:
        await self._consumer.commit()
