"""The topic registry: every topic, its key, its event type, who writes and who reads it.

A consumed topic has a dead-letter topic ``<name>.dlq`` for events it cannot decode
(:func:`academichub.contracts.decoding.decode_event`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pydantic import BaseModel

from academichub.contracts.events import (
    Briefing,
    DeadLetter,
    Paper,
    PaperMatches,
    RadarChange,
)


class TopicName(enum.StrEnum):
    PAPERS = "papers"
    RADARS = "radars"
    MATCHES = "matches"
    BRIEFINGS = "briefings"
    PAPERS_DLQ = "papers.dlq"
    RADARS_DLQ = "radars.dlq"
    MATCHES_DLQ = "matches.dlq"


@dataclass(frozen=True)
class Topic:
    name: TopicName
    key: str
    event: type[BaseModel]
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    partitions: int
    dlq: TopicName | None = None


TOPICS: dict[TopicName, Topic] = {
    t.name: t
    for t in (
        Topic(
            TopicName.PAPERS,
            "canonical paper id",
            Paper,
            ("ingestor",),
            ("matcher",),
            4,
            TopicName.PAPERS_DLQ,
        ),
        # One partition: every matcher replica reads all of it without a consumer group.
        Topic(
            TopicName.RADARS,
            "radar id",
            RadarChange,
            ("gateway",),
            ("matcher",),
            1,
            TopicName.RADARS_DLQ,
        ),
        Topic(
            TopicName.MATCHES,
            "radar id (of a group: one of its radars, all on that key's partition)",
            PaperMatches,
            ("matcher",),
            ("briefer",),
            4,
            TopicName.MATCHES_DLQ,
        ),
        # No consumer today: the gateway reads briefings from the store, where the briefer
        # writes them first; the topic is for integrations. Hence no DLQ either.
        Topic(TopicName.BRIEFINGS, "radar id", Briefing, ("briefer",), (), 4),
        Topic(TopicName.PAPERS_DLQ, "original key", DeadLetter, ("matcher",), ("operator",), 1),
        Topic(TopicName.RADARS_DLQ, "original key", DeadLetter, ("matcher",), ("operator",), 1),
        Topic(TopicName.MATCHES_DLQ, "original key", DeadLetter, ("briefer",), ("operator",), 1),
    )
}


def encode_event(event: BaseModel) -> bytes:
    return event.model_dump_json().encode("utf-8")
