"""What parsing one feed document gives: papers, skipped entries, the channel, repairs.

The result types of every format (:mod:`academichub.ingestor.formats`), in a module of
their own so that code reading results (paging, publishing) does not load the parsers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

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
    # Paging, for sources that page (None elsewhere). Offsets count records from 0.
    total_results: int | None = None  # records matching the whole query
    start_index: int | None = None  # offset of this page's first record
    items_per_page: int | None = None  # page size asked for (bioRxiv: records on this page)
    next_cursor: str | None = None  # opaque token for the next page; None on the last page
    error_code: str | None = None  # the source's own code for an error or empty answer
    response_date: dt.datetime | None = None  # when the source produced the document


@dataclass(frozen=True, slots=True)
class PaperVersion:
    """One version of a paper as the source dates it (arXiv: the submission time, in UTC)."""

    version: int | None  # None where the source dates a version without numbering it
    date: dt.date


@dataclass(frozen=True, slots=True)
class EntryError:
    """One entry that could not become a Paper, and why."""

    index: int  # 0-based position of the entry in the document
    entry_id: str | None  # the best identification available: canonical id, else raw guid
    reason: str


@dataclass(frozen=True, slots=True)
class Repair:
    """Something changed so the document could be read, or so an entry became a clean,
    bounded paper (:mod:`.decoding`, ``normalise.canonical``).

    ``field`` is a Paper field, or ``document`` for the whole document (bytes no codec could
    decode, characters XML forbids); ``kind`` is one of ``control``, ``bidi``, ``invisible``,
    ``undecodable``, ``truncated``, ``cut``, ``dropped``, ``skipped``; ``count`` is characters,
    items or 1 (see ``normalise.canonical.FieldRepair``).
    """

    field: str
    kind: str
    count: int
    index: int | None = None  # 0-based position of the entry; None for the document
    entry_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeedParse:
    """The result of parsing one document: papers in document order, skipped entries, channel."""

    papers: tuple[Paper, ...]
    errors: tuple[EntryError, ...]
    feed: FeedInfo
    # Version history by paper id, oldest first, for sources that give more than the one version
    # a Paper carries (arXiv OAI, arXiv API). A Paper is always its latest version listed here.
    versions: Mapping[str, tuple[PaperVersion, ...]] = field(default_factory=dict)
    # What was changed to read the document and to keep its papers clean and bounded.
    repairs: tuple[Repair, ...] = ()


class FeedError(PoisonEvent):
    """The bytes are not a parseable feed; the message names the problem."""
