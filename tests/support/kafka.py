"""Reading topics back in tests: every event currently on a topic, decoded."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import BaseModel

from academichub.contracts import TopicName, decode_event


async def read_topic(
    bootstrap_servers: str, topic: TopicName, *, expect: int, within: float = 20.0
) -> list[tuple[str | None, BaseModel]]:
    """Read a topic from the start until ``expect`` events arrived (or time runs out)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(str(topic)) or set()
        assigned = [TopicPartition(str(topic), p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        out: list[tuple[str | None, BaseModel]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while len(out) < expect and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                for m in messages:
                    key = m.key.decode() if m.key is not None else None
                    out.append((key, decode_event(topic, m.value)))
        return out
    finally:
        await consumer.stop()
