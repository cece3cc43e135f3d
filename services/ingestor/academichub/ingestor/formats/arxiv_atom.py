"""export.arxiv.org/api Atom responses (current 2025+ and legacy pre-2025) to canonical papers.

Field mapping (FEEDS.md section 3):

=================  =========================================================================
Paper field        source
=================  =========================================================================
id, version        ``entry/id`` ``http://arxiv.org/abs/<id>v<N>``
announce_type      None: the API lists papers, not one day's announcements
title, abstract    ``title``, ``summary`` as plain text (legacy hard wraps collapsed, TeX kept)
authors            ``author/name`` in order (``arxiv:affiliation`` dropped, as for RSS)
categories         ``arxiv:primary_category`` first, then every ``category`` in order
published          date of ``updated``: the date of the version the entry describes (see below)
doi, journal_ref   ``arxiv:doi`` (lower-cased), ``arxiv:journal_ref``
url, pdf_url       built from the id, as for arXiv RSS
license            None: the API does not give it
=================  =========================================================================

Dates: ``published`` is the v1 submission and ``updated`` the submission of the version in the
entry's id. A Paper is one version, so it carries that version's date, as arXiv RSS does for a
replacement; both dates stay available in ``FeedParse.versions[paper.id]``.

The feed: ``opensearch:totalResults``/``startIndex``/``itemsPerPage`` fill the paging fields of
FeedInfo (the next page starts at ``start_index + items_per_page``) and the feed's ``updated``
its ``response_date``. An error (HTTP 400 today, HTTP 200 before 2025) is a feed whose entry id
is ``…/api/errors#<code>``: FeedInfo.is_error, the entry's summary as the message, ``<code>``
as ``error_code``. No entries is an empty result, not an error.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Final

from academichub.contracts import Paper
from academichub.ingestor.domain.normalise import (
    ArxivRef,
    clean_name,
    clean_text,
    clean_text_or_none,
    normalise_doi,
    parse_arxiv_ref,
    parse_feed_date,
)
from academichub.ingestor.formats import FeedError, FeedInfo, FeedParse, PaperVersion
from academichub.ingestor.formats.documents import child_text, load_xml
from academichub.ingestor.formats.entries import Rejected, convert_entries, paper_validation
from academichub.ingestor.formats.paging import count, timestamp

_ATOM: Final = "{http://www.w3.org/2005/Atom}"
_ARXIV: Final = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH: Final = "{http://a9.com/-/spec/opensearch/1.1/}"
_ERROR_ID_MARK: Final = "/api/errors"


def parse_arxiv_atom(data: bytes) -> FeedParse:
    """Parse one export.arxiv.org/api/query response.

    Raises :class:`~academichub.ingestor.formats.FeedError` for bytes that are not an Atom feed
    (see :mod:`.documents` for what is refused).
    """
    root, repaired = load_xml(data, expected="an arXiv API Atom feed")
    if root.tag != f"{_ATOM}feed":
        raise FeedError(f"not an arXiv API Atom feed: the root element is <{root.tag}>")

    entries = root.findall(f"{_ATOM}entry")
    failures = [entry for entry in entries if _is_error_entry(entry)]
    listed = [entry for entry in entries if not _is_error_entry(entry)]
    versions: dict[str, tuple[PaperVersion, ...]] = {}
    converted = convert_entries(listed, lambda entry: _paper(entry, versions))
    return FeedParse(
        papers=converted.papers,
        errors=converted.errors,
        feed=_feed_info(root, failures),
        versions=versions,
        repairs=(*repaired, *converted.repairs),
    )


def _is_error_entry(entry: ET.Element) -> bool:
    return _ERROR_ID_MARK in (child_text(entry, f"{_ATOM}id") or "")


def _feed_info(root: ET.Element, failures: list[ET.Element]) -> FeedInfo:
    error_message = error_code = None
    if failures:
        failure = failures[0]
        error_code = (child_text(failure, f"{_ATOM}id") or "").partition("#")[2] or None
        error_message = (
            clean_text(child_text(failure, f"{_ATOM}summary") or "")
            or clean_text(child_text(failure, f"{_ATOM}title") or "")
            or error_code
            or "arXiv API error"
        )
    return FeedInfo(
        title=clean_text_or_none(child_text(root, f"{_ATOM}title")),
        announce_date=None,
        is_error=bool(failures),
        error_message=error_message,
        skip_days=(),
        total_results=count(child_text(root, f"{_OPENSEARCH}totalResults")),
        start_index=count(child_text(root, f"{_OPENSEARCH}startIndex")),
        items_per_page=count(child_text(root, f"{_OPENSEARCH}itemsPerPage")),
        error_code=error_code,
        response_date=timestamp(child_text(root, f"{_ATOM}updated")),
    )


def _paper(entry: ET.Element, versions: dict[str, tuple[PaperVersion, ...]]) -> Paper:
    raw_id = (child_text(entry, f"{_ATOM}id") or "").strip()
    ref = parse_arxiv_ref(raw_id) if raw_id else None
    if ref is None:
        raise Rejected(f"no arXiv id: entry id is {raw_id!r}", raw_id or None)
    paper_id = ref.paper_id

    title = clean_text(child_text(entry, f"{_ATOM}title") or "")
    if not title:
        raise Rejected("empty title", paper_id)

    first = parse_feed_date(child_text(entry, f"{_ATOM}published"))
    latest = parse_feed_date(child_text(entry, f"{_ATOM}updated")) or first
    if latest is None:
        raise Rejected("no date: neither <updated> nor <published>", paper_id)

    raw_doi = child_text(entry, f"{_ARXIV}doi")
    with paper_validation(paper_id):
        paper = Paper(
            id=paper_id,
            version=ref.version,
            source="arxiv",
            announce_type=None,
            title=title,
            abstract=clean_text(child_text(entry, f"{_ATOM}summary") or ""),
            authors=_authors(entry),
            categories=_categories(entry),
            published=latest,
            doi=normalise_doi(raw_doi) if raw_doi else None,
            journal_ref=clean_text_or_none(child_text(entry, f"{_ARXIV}journal_ref")),
            url=ref.abs_url,
            pdf_url=ref.pdf_url,
        )
    versions[paper_id] = _history(ref, first, latest)
    return paper


def _history(ref: ArxivRef, first: dt.date | None, latest: dt.date) -> tuple[PaperVersion, ...]:
    if ref.version == 1 or first is None:
        return (PaperVersion(ref.version, latest),)
    # The API dates v1 and the entry's version only; the ones between are not listed.
    return (PaperVersion(1, first), PaperVersion(ref.version, latest))


def _authors(entry: ET.Element) -> tuple[str, ...]:
    names = (
        clean_name(child_text(author, f"{_ATOM}name") or "")
        for author in entry.iter(f"{_ATOM}author")
    )
    return tuple(name for name in names if name)


def _categories(entry: ET.Element) -> tuple[str, ...]:
    seen: dict[str, None] = {}  # ordered set, primary first
    primary = entry.find(f"{_ARXIV}primary_category")
    terms = [primary.get("term")] if primary is not None else []
    terms += [category.get("term") for category in entry.iter(f"{_ATOM}category")]
    for term in terms:
        if term and term.strip():
            seen.setdefault(term.strip(), None)
    return tuple(seen)
