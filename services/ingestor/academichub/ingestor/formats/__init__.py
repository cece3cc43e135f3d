"""Feed formats: the bytes of one fetched document in, canonical papers out.

Each format is a function ``parse(data: bytes) -> FeedParse`` registered in
:data:`.registry.FORMATS` under the name the ingestor's source configuration uses. Parsing
does no I/O. Some parsers take keyword options (all defaulted), so the registry can call
every one with the bytes alone. The result types are in :mod:`.results`; this package
exports them and imports no parser, so reading results loads no feedparser.

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

from academichub.ingestor.formats.results import (
    EntryError,
    FeedError,
    FeedInfo,
    FeedParse,
    PaperVersion,
    Repair,
)

__all__ = ["EntryError", "FeedError", "FeedInfo", "FeedParse", "PaperVersion", "Repair"]
