"""Reading topics back in tests: every event currently on a topic, decoded."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError
from pydantic import BaseModel

from academichub.contracts import TopicName, decode_event


async def read_topic(
    bootstrap_servers: str, topic: TopicName, *, expect: int, within: float = 20.0
) -> list[tuple[str | None, BaseModel]]:
    """Read a topic from the start until ``expect`` events arrived (or time runs out).

    Subscribed without a group: aiokafka then assigns itself every partition of the topic
    once the cluster's metadata names them (assigning from ``partitions_for_topic`` right
    after ``start()`` finds none on Apache Kafka), and starts each at its earliest offset.
    """
    consumer = AIOKafkaConsumer(
        str(topic),
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
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


async def group_members(bootstrap_servers: str, group_id: str) -> tuple[str, int]:
    """The consumer group's state (``Stable`` once its members hold their partitions) and
    how many members it has, as the group coordinator reports them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        (response,) = await admin.describe_consumer_groups([group_id])
    except GroupCoordinatorNotAvailableError:
        return ("no coordinator yet", 0)  # Kafka elects it when the group first appears
    finally:
        await admin.close()
    # DescribeGroups v0+: (error_code, group_id, state, protocol_type, protocol, members, ...)
    group = response.groups[0]
    return str(group[2]), len(group[5])
