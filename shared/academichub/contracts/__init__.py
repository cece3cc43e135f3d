"""Contracts between the AcademicHub services: topics, versioned events, examples.

Everything that crosses a process boundary is defined here as data, once.
"""

from academichub.contracts.decoding import decode_event
from academichub.contracts.events import (
    SCHEMA_VERSION,
    Briefing,
    BriefingSchedule,
    Connection,
    DeadLetter,
    Match,
    MatchedTerm,
    NotablePaper,
    Paper,
    PaperTldr,
    Radar,
    RadarChange,
    Theme,
)
from academichub.contracts.topics import TOPICS, Topic, TopicName, encode_event

__all__ = [
    "SCHEMA_VERSION",
    "TOPICS",
    "Briefing",
    "BriefingSchedule",
    "Connection",
    "DeadLetter",
    "Match",
    "MatchedTerm",
    "NotablePaper",
    "Paper",
    "PaperTldr",
    "Radar",
    "RadarChange",
    "Theme",
    "Topic",
    "TopicName",
    "decode_event",
    "encode_event",
]
