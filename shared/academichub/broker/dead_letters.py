"""Dead-lettering: a poison event is published to ``<topic>.dlq`` with the reason.

The consumer then commits past it, so one bad event never stops a stream.
"""

from __future__ import annotations

import datetime as dt
import logging

from academichub.broker.publisher import EventPublisher
from academichub.contracts import TOPICS, DeadLetter, TopicName

log = logging.getLogger(__name__)


async def dead_letter(
    publisher: EventPublisher,
    *,
    topic: TopicName,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    error: str,
    service: str,
) -> DeadLetter:
    dlq = TOPICS[topic].dlq
    if dlq is None:
        raise ValueError(f"topic {topic} has no dead-letter topic")
    letter = DeadLetter(
        topic=str(topic),
        partition=partition,
        offset=offset,
        key=key.decode("utf-8", "replace") if key is not None else None,
        value=(value or b"").decode("utf-8", "replace")[:100_000],
        error=error[:2000],
        service=service,
        failed_at=dt.datetime.now(dt.UTC),
    )
    log.warning("dead-lettered %s[%d]@%d: %s", topic, partition, offset, error)
    await publisher.publish(dlq, letter.key or "", letter)
    return letter
