"""Feed formats: the bytes of one fetched document in, canonical papers out.

Each format is a function ``parse(data: bytes) -> FeedParse`` registered in :data:`FORMATS`
under the name the ingestor's source configuration uses. Parsing does no I/O.

How a format fails::

    FeedError (PoisonEvent)   the bytes are not a feed at all (not XML, an HTML page, ...):
                              the whole document is refused
    EntryError (a value)      one entry cannot become a valid Paper: it is skipped and reported
                              in FeedParse.errors, and every other entry still parses

An arXiv *error feed* (a well-formed channel whose description is the error message) is not a
FeedError: it parses, with ``FeedInfo.is_error`` set, so the caller can tell "bad query" from
"quiet day" (an empty, valid feed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from academichub.contracts import Paper
from academichub.platform.errors import PoisonEvent


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What the document says about itself (the channel), as opposed to its entries."""

    title: str | None
    announce_date: dt.date | None  # arXiv: the mailing day (channel pubDate), not lastBuildDate
    is_error: bool  # the source answered with an error document instead of a listing
    error_message: str | None
    skip_days: tuple[str, ...]  # weekdays the source publishes nothing ("Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class EntryError:
    """One entry that could not become a Paper, and why."""

    index: int  # 0-based position of the entry in the document
    entry_id: str | None  # the best identification available: canonical id, else raw guid
    reason: str


@dataclass(frozen=True, slots=True)
class FeedParse:
    """The result of parsing one document: papers in document order, skipped entries, channel."""

    papers: tuple[Paper, ...]
    errors: tuple[EntryError, ...]
    feed: FeedInfo


class FeedError(PoisonEvent):
    """The bytes are not a parseable feed; the message names the problem."""


# Format modules import the result types above, so they can only be imported after them.
from academichub.ingestor.formats.arxiv_rss import parse_arxiv_rss  # noqa: E402

FORMATS: Final[dict[str, Callable[[bytes], FeedParse]]] = {
    "arxiv-rss": parse_arxiv_rss,
}

__all__ = [
    "FORMATS",
    "EntryError",
    "FeedError",
    "FeedInfo",
    "FeedParse",
    "parse_arxiv_rss",
]
