"""Decode a batch of raw ``papers`` events; poison ones go to the dead-letter topic."""

from __future__ import annotations

from dataclasses import dataclass

from academichub.broker.dead_letters import dead_letter
from academichub.broker.publisher import EventPublisher
from academichub.contracts import Paper, TopicName, decode_event
from academichub.platform.errors import PoisonEvent


@dataclass(frozen=True)
class RawEvent:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


async def decode_papers(
    events: list[RawEvent], publisher: EventPublisher, *, service: str
) -> tuple[list[Paper], int]:
    """Return the decodable papers and how many events were dead-lettered."""
    papers: list[Paper] = []
    poisoned = 0
    for event in events:
        try:
            decoded = decode_event(TopicName.PAPERS, event.value)
        except PoisonEvent as exc:
            await dead_letter(
                publisher,
                topic=TopicName.PAPERS,
                partition=event.partition,
                offset=event.offset,
                key=event.key,
                value=event.value,
                error=str(exc),
                service=service,
            )
            poisoned += 1
            continue
        assert isinstance(decoded, Paper)
        papers.append(decoded)
    return papers, poisoned
