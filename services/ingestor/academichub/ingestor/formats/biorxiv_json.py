"""api.biorxiv.org ``/details`` JSON (bioRxiv and medRxiv) to canonical papers (FEEDS.md 6).

The API lists one record **per version**, so each record is one Paper, keyed by (DOI, version):

=================  =========================================================================
Paper field        source
=================  =========================================================================
id, doi            ``doi:<doi>`` lower-cased, and the DOI itself (10.1101 and 10.64898 alike)
version            ``version`` ("1" or 1)
source             ``server`` (``bioRxiv``/``medrxiv``, any case); else the ``server`` option
title              ``title``
abstract           ``abstract`` with the JATS-flattening tokens removed (normalise.abstracts)
authors            ``authors`` split on ``;``, each kept as written (``Quinn, A. J.``)
categories         ``(category,)`` as the API spells it (``neuroscience``)
published          ``date``: the day this version was posted
journal_ref        ``published``, the journal version's DOI, as ``doi:<doi>``
url, pdf_url       ``https://www.<server>.org/content/<doi>v<N>`` (+ ``.full.pdf``)
license            ``license`` (``cc_by``, ``cc_no``, ...)
=================  =========================================================================

``"NA"`` (and ``""``) mean "absent" in every field. The page: ``messages[0]`` ``cursor``,
``count`` and ``total`` (ints or digit strings) are FeedInfo ``start_index``, ``items_per_page``
and ``total_results``; the next page starts at ``cursor + count``. ``status`` other than
``ok`` is ``is_error`` with the status as message and code -- except ``no posts found``, the
API's empty answer, which is an empty page (``error_code`` set, not an error). An **empty body**
is a FeedError: the API has been seen answering 200 with nothing when it fails, and an empty
result is never an empty body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from academichub.contracts import Paper
from academichub.ingestor.domain.normalise import (
    PreprintServer,
    clean_flattened_abstract,
    clean_text,
    doi_from_identifier,
    doi_paper_id,
    parse_partial_date,
    preprint_server,
    split_semicolon_authors,
)
from academichub.ingestor.formats import FeedError, FeedInfo, FeedParse
from academichub.ingestor.formats.documents import load_json_object
from academichub.ingestor.formats.entries import Rejected, convert_entries, paper_validation
from academichub.ingestor.formats.paging import count

_EXPECTED: Final = "a bioRxiv/medRxiv API response"
_ABSENT: Final = frozenset({"", "NA", "N/A"})
_EMPTY_ANSWER: Final = "no posts found"


def parse_biorxiv_json(data: bytes, *, server: PreprintServer | None = None) -> FeedParse:
    """Parse one api.biorxiv.org ``/details`` response.

    ``server`` is the source for records whose own ``server`` field is missing or unknown (the
    URL asked one server, so the caller knows it); without it such records are EntryErrors.
    Raises :class:`~academichub.ingestor.formats.FeedError` for an empty body, bytes that are
    not a JSON object, or an object with neither ``messages`` nor ``collection``.
    """
    if not data.strip():
        raise FeedError(
            f"not {_EXPECTED}: the body is empty, which api.biorxiv.org sends when it fails "
            "(an empty result still has messages); fetch it again"
        )
    document, repaired = load_json_object(data, expected=_EXPECTED)
    messages = document.get("messages")
    collection = document.get("collection")
    if messages is None and collection is None:
        raise FeedError(f"not {_EXPECTED}: the object has neither 'messages' nor 'collection'")
    if collection is None:
        collection = []
    if not isinstance(collection, list):
        raise FeedError(f"not {_EXPECTED}: 'collection' is a {type(collection).__name__}")

    message: Mapping[str, Any] = {}
    if isinstance(messages, list) and messages and isinstance(messages[0], Mapping):
        message = messages[0]
    converted = convert_entries(collection, lambda record: _paper(record, server))
    return FeedParse(
        papers=converted.papers,
        errors=converted.errors,
        feed=_feed_info(message, document),
        repairs=(*repaired, *converted.repairs),
    )


def _feed_info(message: Mapping[str, Any], document: Mapping[str, Any]) -> FeedInfo:
    raw_status = message.get("status", document.get("status"))
    status = clean_text(raw_status) if isinstance(raw_status, str) else None
    is_error = status is not None and status.lower() not in {"ok", _EMPTY_ANSWER}
    return FeedInfo(
        title=None,
        announce_date=None,
        is_error=is_error,
        error_message=status if is_error else None,
        skip_days=(),
        total_results=count(message.get("total")),
        start_index=count(message.get("cursor")),
        items_per_page=count(message.get("count")),
        error_code=status if status is not None and status.lower() != "ok" else None,
    )


def _paper(record: object, default_server: PreprintServer | None) -> Paper:
    if not isinstance(record, Mapping):
        raise Rejected(f"the record is a {type(record).__name__}, not an object", None)
    raw_doi = _field(record, "doi")
    doi = doi_from_identifier(raw_doi) if raw_doi else None
    if doi is None:
        raise Rejected(f"no DOI: 'doi' is {record.get('doi')!r}", None)
    paper_id = doi_paper_id(doi)

    version = count(record.get("version"))
    if version is None:
        raise Rejected(f"no version: 'version' is {record.get('version')!r}", paper_id)
    raw_server = _field(record, "server")
    server = (preprint_server(raw_server) if raw_server else None) or default_server
    if server is None:
        raise Rejected(f"unknown server {record.get('server')!r}", paper_id)

    title = clean_text(_field(record, "title") or "")
    if not title:
        raise Rejected("empty title", paper_id)
    published = parse_partial_date(_field(record, "date"))
    if published is None:
        raise Rejected(f"no date: 'date' is {record.get('date')!r}", paper_id)

    category = clean_text(_field(record, "category") or "")
    journal_doi = _field(record, "published")
    url = f"https://www.{server}.org/content/{doi}v{version}"
    with paper_validation(paper_id):
        return Paper(
            id=paper_id,
            version=version,
            source=server,
            title=title,
            abstract=clean_flattened_abstract(_field(record, "abstract") or ""),
            authors=split_semicolon_authors(_field(record, "authors") or ""),
            categories=(category,) if category else (),
            published=published,
            doi=doi,
            journal_ref=_journal_ref(journal_doi) if journal_doi else None,
            url=url,
            pdf_url=f"{url}.full.pdf",
            license=_field(record, "license"),
        )


def _field(record: Mapping[str, Any], key: str) -> str | None:
    """A string field, stripped; None if missing, not a string, or a "NA" sentinel."""
    value = record.get(key)
    if not isinstance(value, str):
        return None
    text = value.strip()
    return None if text in _ABSENT else text


def _journal_ref(published: str) -> str | None:
    # The journal version is known only by its DOI; written as such so it reads as a reference.
    doi = doi_from_identifier(published)
    return f"doi:{doi}" if doi else clean_text(published) or None
