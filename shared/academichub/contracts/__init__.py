"""Contracts between the AcademicHub services: topics, versioned events, examples.

Everything that crosses a process boundary is defined here as data, once.
"""

from academichub.contracts.decoding import decode_event
from academichub.contracts.events import (
    Briefing,
    BriefingSchedule,
    Connection,
    DeadLetter,
    Match,
    MatchedTerm,
    MatchOrigin,
    NearestPaper,
    NotablePaper,
    Paper,
    PaperMatches,
    PaperTldr,
    Radar,
    RadarChange,
    RadarMatch,
    ScoreKind,
    Theme,
    canonical_paper_id,
    schema_versions,
)
from academichub.contracts.topics import TOPICS, Topic, TopicName, encode_event

__all__ = [
    "TOPICS",
    "Briefing",
    "BriefingSchedule",
    "Connection",
    "DeadLetter",
    "Match",
    "MatchOrigin",
    "MatchedTerm",
    "NearestPaper",
    "NotablePaper",
    "Paper",
    "PaperMatches",
    "PaperTldr",
    "Radar",
    "RadarChange",
    "RadarMatch",
    "ScoreKind",
    "Theme",
    "Topic",
    "TopicName",
    "canonical_paper_id",
    "decode_event",
    "encode_event",
    "schema_versions",
]
