"""Event sources over aiokafka: a consumer group's share of a topic, or all of it.

* :class:`GroupSource` -- a member of a consumer group (the matcher's ``papers``, the
  briefer's ``matches``): partitions are shared among the members, offsets are committed
  by the loop after its handler (never automatically), and a new group starts at the
  earliest offset (Tansu's LATEST offsets are unreliable, and a new group must not skip
  events; replays are harmless, every handler is idempotent).
* :class:`FollowSource` -- no group: every partition of the topic from its first offset,
  in every replica (the matcher's ``radars``: each replica must hold every radar). It
  subscribes without a group, so aiokafka assigns it every partition the topic's
  metadata lists, and any partition added later; it waits until that assignment exists
  rather than guessing (a consumer without a group knows no partitions right after
  ``start()`` on Kafka). Nothing is committed: it reads everything again after a restart.

A batch is ``max_records`` records or what arrived within ``wait_seconds``, whichever
comes first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError

from academichub.broker.records import RawEvent
from academichub.contracts import TopicName
from academichub.platform.errors import TransientError

log = logging.getLogger(__name__)


class _Source:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        topic: TopicName,
        *,
        max_records: int,
        wait_seconds: float,
    ) -> None:
        if max_records < 1 or wait_seconds <= 0:
            raise ValueError("a batch needs max_records >= 1 and wait_seconds > 0")
        self.topic = topic
        self._consumer = consumer
        self._max_records = max_records
        self._wait = wait_seconds

    async def stop(self) -> None:
        await self._consumer.stop()

    def partitions(self) -> set[int]:
        """The partitions of the topic this source reads now."""
        return {p.partition for p in self._consumer.assignment()}

    async def poll(self) -> list[RawEvent]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait
        batch: list[RawEvent] = []
        while len(batch) < self._max_records:
            left = deadline - loop.time()
            if left <= 0:
                break
            fetched = await self._consumer.getmany(
                timeout_ms=max(1, int(left * 1000)), max_records=self._max_records - len(batch)
            )
            batch.extend(_raw(r) for records in fetched.values() for r in records)
        return batch


class GroupSource(_Source):
    """``topic`` as a member of ``group_id`` (see the module docstring)."""

    def __init__(
        self,
        bootstrap_servers: str,
        topic: TopicName,
        *,
        group_id: str,
        client_id: str,
        max_records: int = 500,
        wait_seconds: float = 0.5,
        **consumer_options: Any,
    ) -> None:
        consumer = AIOKafkaConsumer(
            str(topic),
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_records,
            **consumer_options,
        )
        super().__init__(consumer, topic, max_records=max_records, wait_seconds=wait_seconds)

    async def start(self) -> None:
        await self._consumer.start()

    async def commit(self, events: Sequence[RawEvent]) -> None:
        """Commit past ``events`` on the partitions this member still owns.

        After a rebalance took a partition away, its events are consumed again by the new
        owner (at-least-once): that is no failure, so it is logged, not raised.
        """
        ends: dict[TopicPartition, int] = {}
        for event in events:
            partition = TopicPartition(str(self.topic), event.partition)
            ends[partition] = max(ends.get(partition, 0), event.offset + 1)
        owned = self._consumer.assignment()
        offsets = {p: offset for p, offset in ends.items() if p in owned}
        if len(offsets) < len(ends):
            log.info("%s: partitions reassigned before the commit: not committed", self.topic)
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            log.warning(
                "%s: commit refused after a rebalance (%s); the partitions' new owner "
                "consumes these events again",
                self.topic,
                exc,
            )


class FollowSource(_Source):
    """Every partition of ``topic`` from its start, without a group (module docstring)."""

    def __init__(
        self,
        bootstrap_servers: str,
        topic: TopicName,
        *,
        client_id: str,
        max_records: int = 500,
        wait_seconds: float = 0.5,
        assignment_within_seconds: float = 60.0,
    ) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=None,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_records,
        )
        super().__init__(consumer, topic, max_records=max_records, wait_seconds=wait_seconds)
        self._assignment_within = assignment_within_seconds

    async def start(self) -> None:
        """Start, and return once every partition of the topic is assigned."""
        await self._consumer.start()
        self._consumer.subscribe([str(self.topic)])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._assignment_within
        while not self._consumer.assignment():
            if loop.time() > deadline:
                raise TransientError(
                    f"topic {self.topic} lists no partitions after "
                    f"{self._assignment_within:g}s: does it exist?"
                )
            await asyncio.sleep(0.05)
        log.info("following %s partitions %s", self.topic, sorted(self.partitions()))

    async def commit(self, events: Sequence[RawEvent]) -> None:
        """Nothing to commit: without a group every run reads the topic from its start."""


def _raw(record: ConsumerRecord[bytes, bytes]) -> RawEvent:
    return RawEvent(
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        timestamp_ms=record.timestamp,
    )
