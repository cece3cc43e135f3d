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

**A log that is not the one consumed.** A broker that lost a topic (Tansu keeps topics in
memory only; an operator deleted and made a Kafka topic again) starts its offsets at 0
again. Tansu answers a fetch beyond the end of the log with no records and no
OFFSET_OUT_OF_RANGE, so a consumer keeping its old position would silently skip every
record below it until the log grew past it. After each fetch, both sources compare the
next offset they would hand out with the partition's high watermark (as the fetch response
gave it: never a ListOffsets LATEST, which Tansu gets wrong after multi-record batches),
and a partition whose position is past its log's end is read again from its start,
logged, and reported to ``on_log_reset`` (a metric; the matcher also re-reads its radars
from the store). In a group source this is harmless: a group that lost its committed
offsets starts at the earliest offset anyway. A topic deleted drops out of the
assignment; when it is made again it is assigned afresh once the consumer's metadata
lists it, which both sources refresh every ``METADATA_MAX_AGE_MS`` (aiokafka's default,
five minutes, would leave a topic made again unread for that long).

**Commits** the broker does not record raise
:class:`~academichub.broker.consumer.CommitRefused`: after a rebalance (the partitions
moved, or the group forgot this member, as it does when the broker restarts), when the
topic is gone, or when the coordinator does not answer within ``commit_within_seconds``
(the broker is away: the next batch's commit covers these events, or they are consumed
again). Only errors that say the configuration is wrong propagate.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, UnknownTopicOrPartitionError

from academichub.broker.consumer import CommitRefused
from academichub.broker.records import RawEvent
from academichub.contracts import TopicName
from academichub.platform.errors import TransientError

log = logging.getLogger(__name__)

# How often a consumer asks the broker which partitions its topic has (see the docstring).
METADATA_MAX_AGE_MS = 15_000


class _Source:
    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        topic: TopicName,
        *,
        max_records: int,
        wait_seconds: float,
        on_log_reset: Callable[[int], None] | None,
    ) -> None:
        if max_records < 1 or wait_seconds <= 0:
            raise ValueError("a batch needs max_records >= 1 and wait_seconds > 0")
        self.topic = topic
        self._consumer = consumer
        self._max_records = max_records
        self._wait = wait_seconds
        self._on_log_reset = on_log_reset
        # The offset after the last record handed out, per partition.
        self._next: dict[TopicPartition, int] = {}

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
            for partition, records in fetched.items():
                if records:
                    self._next[partition] = records[-1].offset + 1
                batch.extend(_raw(r) for r in records)
            await self._restart_shortened_logs()
        return batch

    async def _restart_shortened_logs(self) -> None:
        """Read again from its start every partition whose log ends before the offset
        this source reached (module docstring)."""
        owned = self._consumer.assignment()
        for partition, reached in list(self._next.items()):
            end = self._consumer.highwater(partition) if partition in owned else None
            if end is None or end >= reached:
                continue
            log.warning(
                "%s[%d]: the log ends at offset %d, before offset %d already consumed: the "
                "broker lost the topic or it was made again; reading it from its start",
                self.topic,
                partition.partition,
                end,
                reached,
            )
            del self._next[partition]
            try:
                await self._consumer.seek_to_beginning(partition)
            except IllegalStateError:
                continue  # reassigned meanwhile: its new owner starts where the group says
            if self._on_log_reset is not None:
                self._on_log_reset(partition.partition)


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
        on_log_reset: Callable[[int], None] | None = None,
        commit_within_seconds: float = 30.0,
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
            metadata_max_age_ms=METADATA_MAX_AGE_MS,
            **consumer_options,
        )
        super().__init__(
            consumer,
            topic,
            max_records=max_records,
            wait_seconds=wait_seconds,
            on_log_reset=on_log_reset,
        )
        self._commit_within = commit_within_seconds

    async def start(self) -> None:
        await self._consumer.start()

    async def commit(self, events: Sequence[RawEvent]) -> None:
        """Commit past ``events`` on the partitions this member still owns; raise
        :class:`CommitRefused` for what was not committed (module docstring)."""
        ends: dict[TopicPartition, int] = {}
        for event in events:
            partition = TopicPartition(str(self.topic), event.partition)
            ends[partition] = max(ends.get(partition, 0), event.offset + 1)
        owned = self._consumer.assignment()
        offsets = {p: offset for p, offset in ends.items() if p in owned}
        if offsets:
            try:
                async with asyncio.timeout(self._commit_within):
                    await self._consumer.commit(offsets)
            except (CommitFailedError, IllegalStateError) as exc:
                raise CommitRefused(
                    "rebalance",
                    f"the group rebalanced or forgot this member ({type(exc).__name__}); "
                    "the partitions' owner consumes these events again",
                ) from exc
            except UnknownTopicOrPartitionError as exc:
                raise CommitRefused("gone", f"the topic is gone ({exc})") from exc
            except TimeoutError as exc:
                raise CommitRefused(
                    "unavailable",
                    f"the group coordinator did not answer within {self._commit_within:g}s",
                ) from exc
        if len(offsets) < len(ends):
            moved = sorted(p.partition for p in ends if p not in owned)
            raise CommitRefused(
                "rebalance",
                f"partitions {moved} were reassigned before the commit; their new owner "
                "consumes these events again",
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
        on_log_reset: Callable[[int], None] | None = None,
    ) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=None,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_records,
            metadata_max_age_ms=METADATA_MAX_AGE_MS,
        )
        super().__init__(
            consumer,
            topic,
            max_records=max_records,
            wait_seconds=wait_seconds,
            on_log_reset=on_log_reset,
        )
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
