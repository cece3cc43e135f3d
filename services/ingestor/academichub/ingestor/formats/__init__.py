"""Feed formats: the bytes of one fetched document in, canonical papers out.

Each format is a function ``parse(data: bytes) -> FeedParse`` registered in :data:`FORMATS`
under the name the ingestor's source configuration uses. Parsing does no I/O. Some parsers take
keyword options (all defaulted), so the registry can call every one with the bytes alone.

How a format fails::

    FeedError (PoisonEvent)   the bytes are not a feed at all (not XML, an HTML page, ...):
                              the whole document is refused
    EntryError (a value)      one entry cannot become a valid Paper: it is skipped and reported
                              in FeedParse.errors, and every other entry still parses

An arXiv *error feed* (a well-formed channel whose description is the error message) is not a
FeedError: it parses, with ``FeedInfo.is_error`` set, so the caller can tell "bad query" from
"quiet day" (an empty, valid feed). The same holds for the arXiv API's error entry, an OAI-PMH
``<error>`` and a bioRxiv ``messages[0].status``; ``FeedInfo.error_code`` keeps the source's code.

Every entry's Paper passes one gate, ``normalise.canonical.finish_paper`` (called by
``entries.convert_entries``): its text cleaned of control and bidi-override characters and its
fields held to the contract's bounds (``academichub.contracts.bounds``). What the gate and the
document's decoding (:mod:`.decoding`) changed is listed in ``FeedParse.repairs``.

Paged sources (arXiv API, OAI-PMH, bioRxiv, Crossref) report where the page sits in
``FeedInfo.total_results`` / ``start_index`` / ``items_per_page`` and how to ask for the next one
in ``FeedInfo.next_cursor``; those fields default to None for sources that have no pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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


# Format modules import the result types above, so they can only be imported after them.
from academichub.ingestor.formats.arxiv_atom import parse_arxiv_atom  # noqa: E402
from academichub.ingestor.formats.arxiv_oai import parse_arxiv_oai  # noqa: E402
from academichub.ingestor.formats.arxiv_rss import parse_arxiv_rss  # noqa: E402
from academichub.ingestor.formats.biorxiv_json import parse_biorxiv_json  # noqa: E402
from academichub.ingestor.formats.biorxiv_rss import parse_biorxiv_rss  # noqa: E402
from academichub.ingestor.formats.crossref_json import parse_crossref_json  # noqa: E402
from academichub.ingestor.formats.rss import parse_rss  # noqa: E402

FORMATS: Final[dict[str, Callable[[bytes], FeedParse]]] = {
    "arxiv-rss": parse_arxiv_rss,
    "arxiv-atom": parse_arxiv_atom,
    "arxiv-oai": parse_arxiv_oai,
    "biorxiv-json": parse_biorxiv_json,
    "biorxiv-rss": parse_biorxiv_rss,
    "rss": parse_rss,
    "crossref-json": parse_crossref_json,
}

__all__ = [
    "FORMATS",
    "EntryError",
    "FeedError",
    "FeedInfo",
    "FeedParse",
    "PaperVersion",
    "Repair",
    "parse_arxiv_atom",
    "parse_arxiv_oai",
    "parse_arxiv_rss",
    "parse_biorxiv_json",
    "parse_biorxiv_rss",
    "parse_crossref_json",
    "parse_rss",
]
