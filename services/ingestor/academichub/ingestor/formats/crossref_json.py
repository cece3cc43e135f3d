"""api.crossref.org ``/works/{doi}`` and ``/works?...`` JSON to canonical papers (FEEDS.md 7).

=================  =========================================================================
Paper field        source
=================  =========================================================================
id, doi            ``doi:<DOI>`` lower-cased, and the DOI
source             journal-article, proceedings-article: ``journal:<slug>`` of
                   ``container-title`` (else ``short-container-title``); posted-content:
                   ``biorxiv``/``medrxiv`` if its ``institution`` (or publisher, group) is one
                   of them, else ``journal:<slug>`` of the institution, else of the publisher
title              ``title[0]``, with ``subtitle[0]`` after a colon; an empty list is an error
abstract           ``abstract`` (JATS XML string) as plain text: normalise.abstracts
authors            ``author[]`` in order: "given family", or ``name`` for an organisation
categories         ``subject[]``, else ``group-title`` (bioRxiv's subject on posted-content)
published          the most precise of ``published-online``, ``published-print``, ``posted``,
                   ``published``, ``issued`` (ties: the earliest); else ``created``
journal_ref        container, volume(issue), page, year -- when there is a volume or page
url, pdf_url       ``URL``; the first ``link`` with content-type application/pdf
license            the ``license[]`` URL for the version of record, else the first
=================  =========================================================================

Dates of partial precision: a missing month or day is taken as 1 (``[[2012, 3]]`` ->
2012-03-01), the earliest day the date can mean; a full date elsewhere in the record wins.

Only the ``types`` option's work types (by default journal-article, proceedings-article and
posted-content) become papers; any other (book-chapter, dataset, reference-entry, ...) is an
EntryError naming its type, so a noisy query page is counted, not silently shrunk.

The page: ``total-results``, ``items-per-page``, ``query.start-index`` and ``next-cursor``
fill FeedInfo's paging fields. Crossref returns a ``next-cursor`` on the last page too: the
list ends at the first page without items. ``status`` other than ``ok`` is ``is_error``.

A Paper has no field for a work's ``relation``; :func:`crossref_relations` reads the preprint
relations (``has-preprint``, ``is-preprint-of``) from the same bytes, for linking a journal
article to the preprint it was published from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from academichub.contracts import Paper
from academichub.ingestor.domain.normalise import (
    clean_jats_abstract,
    clean_text,
    date_from_parts,
    doi_from_identifier,
    doi_paper_id,
    journal_reference,
    journal_source,
    parse_arxiv_ref,
    preprint_server,
)
from academichub.ingestor.formats import FeedError, FeedInfo, FeedParse
from academichub.ingestor.formats.documents import load_json_object
from academichub.ingestor.formats.entries import Rejected, convert_entries, paper_validation
from academichub.ingestor.formats.paging import count

DEFAULT_TYPES: Final = frozenset({"journal-article", "proceedings-article", "posted-content"})
_EXPECTED: Final = "a Crossref works response"
_DATE_FIELDS: Final = ("published-online", "published-print", "posted", "published", "issued")


def parse_crossref_json(data: bytes, *, types: Collection[str] = DEFAULT_TYPES) -> FeedParse:
    """Parse one Crossref ``work`` or ``work-list`` response.

    Raises :class:`~academichub.ingestor.formats.FeedError` for bytes that are not a JSON
    object, or an ``ok`` response that is not about works (``message-type`` ``member``, ...).
    """
    document, repaired = load_json_object(data, expected=_EXPECTED)
    status = document.get("status")
    if status != "ok":
        return FeedParse(papers=(), errors=(), feed=_error_info(document), repairs=repaired)

    message_type = document.get("message-type")
    message = document.get("message")
    if not isinstance(message, Mapping):
        raise FeedError(f"not {_EXPECTED}: 'message' is not an object")
    if message_type == "work":
        items: Sequence[object] = [message]
    elif message_type == "work-list":
        listed = message.get("items")
        if not isinstance(listed, list):
            raise FeedError(f"not {_EXPECTED}: the work-list has no 'items' list")
        items = listed
    else:
        raise FeedError(f"not {_EXPECTED}: message-type is {message_type!r}, not work(-list)")

    accepted = frozenset(types)
    converted = convert_entries(items, lambda item: _paper(item, accepted))
    query = message.get("query")
    cursor = message.get("next-cursor")
    feed = FeedInfo(
        title=None,
        announce_date=None,
        is_error=False,
        error_message=None,
        skip_days=(),
        total_results=count(message.get("total-results")),
        start_index=count(query.get("start-index")) if isinstance(query, Mapping) else None,
        items_per_page=count(message.get("items-per-page")),
        next_cursor=cursor if isinstance(cursor, str) and cursor else None,
    )
    return FeedParse(
        papers=converted.papers,
        errors=converted.errors,
        feed=feed,
        repairs=(*repaired, *converted.repairs),
    )


@dataclass(frozen=True, slots=True)
class WorkRelations:
    """A work's preprint relations, as lower-cased DOIs (arXiv ids as their DataCite DOI)."""

    has_preprint: tuple[str, ...] = ()  # the work is the journal version of these
    is_preprint_of: tuple[str, ...] = ()  # the work is a preprint of these


def crossref_relations(data: bytes) -> dict[str, WorkRelations]:
    """The preprint relations of every work in a Crossref ``work``/``work-list`` response,
    keyed by the work's lower-cased DOI; works without any are left out, and so is everything
    of a response that is not ``ok``.

    Raises :class:`~academichub.ingestor.formats.FeedError` for bytes that are not a JSON
    object (as :func:`parse_crossref_json` does for the same bytes).
    """
    document, _ = load_json_object(data, expected=_EXPECTED)
    message = document.get("message")
    if document.get("status") != "ok" or not isinstance(message, Mapping):
        return {}
    if document.get("message-type") == "work":
        items: Sequence[object] = [message]
    else:
        listed = message.get("items")
        items = listed if isinstance(listed, list) else []
    found: dict[str, WorkRelations] = {}
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(raw_doi := item.get("DOI"), str):
            continue
        doi = doi_from_identifier(raw_doi)
        relation = item.get("relation")
        if doi is None or not isinstance(relation, Mapping):
            continue
        relations = WorkRelations(
            has_preprint=_related_dois(relation.get("has-preprint")),
            is_preprint_of=_related_dois(relation.get("is-preprint-of")),
        )
        if relations.has_preprint or relations.is_preprint_of:
            found[doi] = relations
    return found


def _related_dois(value: object) -> tuple[str, ...]:
    # [{"id-type": "doi", "id": "10.1101/2020.01.01.123456", "asserted-by": "subject"}, ...];
    # a publisher may name an arXiv preprint by its id ("id-type": "arxiv").
    dois: list[str] = []
    for related in value if isinstance(value, list) else []:
        if not isinstance(related, Mapping) or not isinstance(raw := related.get("id"), str):
            continue
        id_type = str(related.get("id-type", "")).lower()
        if id_type == "doi":
            doi = doi_from_identifier(raw)
        elif id_type == "arxiv" and (ref := parse_arxiv_ref(raw)) is not None:
            doi = f"10.48550/arxiv.{ref.id}"
        else:
            doi = None
        if doi:
            dois.append(doi)
    return tuple(dict.fromkeys(dois))


def _error_info(document: Mapping[str, Any]) -> FeedInfo:
    # Crossref errors: {"status": "failed", "message-type": "validation-failure",
    # "message": [{"type": ..., "value": ..., "message": "..."}]} or a plain message string.
    details = document.get("message")
    if isinstance(details, list):
        texts = [
            str(detail.get("message") or detail.get("type") or "")
            for detail in details
            if isinstance(detail, Mapping)
        ]
        message = "; ".join(text for text in texts if text)
    else:
        message = str(details) if isinstance(details, str) else ""
    status = document.get("status")
    code = document.get("message-type")
    return FeedInfo(
        title=None,
        announce_date=None,
        is_error=True,
        error_message=clean_text(message) or f"Crossref status {status!r}",
        skip_days=(),
        error_code=code if isinstance(code, str) else str(status),
    )


def _paper(item: object, accepted: frozenset[str]) -> Paper:
    if not isinstance(item, Mapping):
        raise Rejected(f"the work is a {type(item).__name__}, not an object", None)
    raw_doi = item.get("DOI")
    doi = doi_from_identifier(raw_doi) if isinstance(raw_doi, str) else None
    if doi is None:
        raise Rejected(f"no DOI: 'DOI' is {raw_doi!r}", None)
    paper_id = doi_paper_id(doi)

    work_type = item.get("type")
    if work_type not in accepted:
        raise Rejected(
            f"skipped: type {work_type!r} is not a paper (accepted: {', '.join(sorted(accepted))})",
            paper_id,
        )
    title = _first(item, "title")
    if not title:
        raise Rejected(f"empty title: 'title' is {item.get('title')!r}", paper_id)
    subtitle = _first(item, "subtitle")
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"

    source = _source(item, work_type)
    if source is None:
        raise Rejected(f"no name to make a source of for a {work_type}", paper_id)
    published = _published(item)
    if published is None:
        raise Rejected(f"no date: none of {', '.join(_DATE_FIELDS)} or created", paper_id)

    abstract = item.get("abstract")
    container = _first(item, "container-title")
    url = item.get("URL")
    with paper_validation(paper_id):
        return Paper(
            id=paper_id,
            version=None,
            source=source,
            title=title,
            abstract=clean_jats_abstract(abstract) if isinstance(abstract, str) else "",
            authors=_authors(item.get("author")),
            categories=_strings(item, "subject") or _strings(item, "group-title"),
            published=published,
            doi=doi,
            journal_ref=journal_reference(
                container,
                volume=_string(item.get("volume")),
                issue=_string(item.get("issue")),
                pages=_string(item.get("page")),
                year=published.year,
            )
            if work_type != "posted-content"
            else None,
            url=url if isinstance(url, str) and url else f"https://doi.org/{doi}",
            pdf_url=_pdf_url(item.get("link")),
            license=_license(item.get("license")),
        )


def _source(item: Mapping[str, Any], work_type: str) -> str | None:
    if work_type == "posted-content":
        institutions = item.get("institution")
        names = [
            name
            for institution in (institutions if isinstance(institutions, list) else [])
            if isinstance(institution, Mapping)
            and isinstance(name := institution.get("name"), str)
            and name.strip()
        ]
        publisher = _string(item.get("publisher"))
        for text in (*names, *_strings(item, "group-title"), publisher or ""):
            server = preprint_server(text)
            if server is not None:
                return server
        return next(filter(None, map(journal_source, (*names, publisher or ""))), None)
    name = _first(item, "container-title") or _first(item, "short-container-title")
    return journal_source(name) if name else None


def _published(item: Mapping[str, Any]) -> dt.date | None:
    candidates: list[tuple[dt.date, int]] = []
    for key in _DATE_FIELDS:
        parsed = _date_parts(item.get(key))
        if parsed is not None:
            candidates.append(parsed)
    if candidates:
        # Most precise first, then the earliest: print [[2012, 3]] loses to online [[2012, 3, 21]].
        return min(candidates, key=lambda candidate: (-candidate[1], candidate[0]))[0]
    created = _date_parts(item.get("created"))
    return created[0] if created is not None else None


def _date_parts(value: object) -> tuple[dt.date, int] | None:
    if not isinstance(value, Mapping):
        return None
    parts = value.get("date-parts")
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], list):
        return None
    return date_from_parts(parts[0])


def _authors(value: object) -> tuple[str, ...]:
    names: list[str] = []
    for author in value if isinstance(value, list) else []:
        if not isinstance(author, Mapping):
            continue
        given, family = _string(author.get("given")), _string(author.get("family"))
        raw = " ".join(part for part in (given, family) if part) or _string(author.get("name"))
        name = clean_text(raw) if raw else ""
        if name:
            names.append(name)
    return tuple(names)


def _pdf_url(value: object) -> str | None:
    for link in value if isinstance(value, list) else []:
        if isinstance(link, Mapping) and link.get("content-type") == "application/pdf":
            url = link.get("URL")
            if isinstance(url, str) and url:
                return url
    return None


def _license(value: object) -> str | None:
    licenses = [
        entry for entry in (value if isinstance(value, list) else []) if isinstance(entry, Mapping)
    ]
    # The version of record's licence is the one readers get; accepted manuscripts and
    # text-mining licences may differ.
    licenses.sort(key=lambda entry: entry.get("content-version") != "vor")
    for entry in licenses:
        url = _string(entry.get("URL"))
        if url:
            return url
    return None


def _first(item: Mapping[str, Any], key: str) -> str | None:
    values = _strings(item, key)
    return values[0] if values else None


def _strings(item: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A Crossref string-array field (or a lone string) as clean, non-empty strings."""
    value = item.get(key)
    values = value if isinstance(value, list) else [value]
    cleaned = (clean_text(text) for text in values if isinstance(text, str))
    return tuple(dict.fromkeys(text for text in cleaned if text))


def _string(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
