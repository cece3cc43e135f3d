"""Dead-lettering: a poison event is published to ``<topic>.dlq`` with the reason.

The consumer then commits past it, so one bad event never stops a stream.

A consumer that reads its topic again from the start on every run (the matcher's radar
follower: it has no consumer group) would dead-letter the same poison on every restart.
Given a :class:`~academichub.store.port.DeadLetterLog`, :class:`DeadLetters` remembers
in the store which records it sent, and sends each one once. A record is known by its
topic, partition, offset, timestamp and bytes: a topic deleted and made again restarts
its offsets at 0, and its records are not the old ones at the same offsets (the broker's
topic id would say so directly, but aiokafka's metadata requests do not carry it).
Publishing comes before remembering: a crash in between sends that letter again, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from academichub.broker.publisher import EventPublisher
from academichub.broker.records import RawEvent
from academichub.contracts import TOPICS, DeadLetter, TopicName
from academichub.store.door import AsyncStore
from academichub.store.port import DeadLetterLog

log = logging.getLogger(__name__)

MAX_VALUE_CHARS = 100_000
MAX_ERROR_CHARS = 2000


def letter_id(topic: TopicName, event: RawEvent) -> str:
    """What tells this record from every other one, on this topic or a topic of the same
    name made again: a digest of where it is, when it was written, and its bytes."""
    digest = hashlib.sha256()
    for part in (
        str(topic).encode(),
        str(event.partition).encode(),
        str(event.offset).encode(),
        str(event.timestamp_ms).encode(),
        b"-" if event.key is None else b"k" + event.key,
        b"-" if event.value is None else b"v" + event.value,
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return f"{topic}:{digest.hexdigest()}"


class DeadLetters:
    """Sends a service's poison events to their topics' dead-letter topics."""

    def __init__(
        self,
        publisher: EventPublisher,
        *,
        service: str,
        sent: AsyncStore[DeadLetterLog] | None = None,
    ) -> None:
        self._publisher = publisher
        self._service = service
        self._sent = sent

    async def send(self, topic: TopicName, event: RawEvent, reason: str) -> DeadLetter | None:
        """Publish the dead letter of ``event`` and return it; None (and nothing
        published) when the log says it was sent before."""
        dlq = TOPICS[topic].dlq
        if dlq is None:
            raise ValueError(f"topic {topic} has no dead-letter topic")
        known = letter_id(topic, event)
        if self._sent is not None and known in await self._sent.run(
            lambda s: s.dead_lettered([known])
        ):
            log.info(
                "%s[%d]@%d was dead-lettered before; not again",
                topic,
                event.partition,
                event.offset,
            )
            return None
        letter = DeadLetter(
            topic=str(topic),
            partition=event.partition,
            offset=event.offset,
            key=event.key.decode("utf-8", "replace") if event.key is not None else None,
            value=(event.value or b"").decode("utf-8", "replace")[:MAX_VALUE_CHARS],
            error=reason[:MAX_ERROR_CHARS],
            service=self._service,
            failed_at=dt.datetime.now(dt.UTC),
        )
        log.warning("dead-lettered %s[%d]@%d: %s", topic, event.partition, event.offset, reason)
        await self._publisher.publish(dlq, letter.key or "", letter)
        if self._sent is not None:
            await self._sent.run(lambda s: s.remember_dead_letters([known]))
        return letter
