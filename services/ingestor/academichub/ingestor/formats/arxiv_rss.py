"""rss.arxiv.org RSS 2.0 (the format served since January 2024) to canonical papers.

One ``feedparser.parse`` of the document, then pure normalisation per entry (see
:mod:`academichub.ingestor.domain.normalise`). Field mapping (FEEDS.md section 1):

=================  =========================================================================
Paper field        source
=================  =========================================================================
id, version        ``guid`` ``oai:arXiv.org:<id>v<N>``; else the description's ``arXiv:<id>v<N>``
announce_type      ``arxiv:announce_type``; else the description's ``Announce Type:``
title              ``title``, as plain text (TeX kept)
abstract           ``description`` without its ``arXiv:… Announce Type: … Abstract:`` prefix
authors            ``dc:creator`` (one comma-joined string), affiliations dropped
categories         every ``category`` in order; arXiv lists the primary first
published          item ``pubDate`` as a date (the announcement day); else the channel's
doi, journal_ref   ``arxiv:DOI`` (lower-cased), ``arxiv:journal_reference``
url, pdf_url       built from the id: ``/abs/<id>``, ``/pdf/<id>v<N>``
license            ``dc:rights``
=================  =========================================================================
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import xml.sax
from collections.abc import Mapping
from typing import Any, Final

import feedparser

from academichub.contracts import Paper
from academichub.contracts.events import AnnounceType
from academichub.ingestor.domain.normalise import (
    Announcement,
    ArxivRef,
    UnrecognisedPrefix,
    clean_text,
    normalise_doi,
    parse_announcement,
    parse_arxiv_ref,
    parse_feed_date,
    split_authors,
)
from academichub.ingestor.formats import FeedError, FeedInfo, FeedParse
from academichub.ingestor.formats.documents import document_repairs, xml_text
from academichub.ingestor.formats.entries import Rejected, convert_entries, paper_validation

# feedparser keeps only the last <day> of <skipDays>, so the days are read from the raw bytes.
# The block sits in the channel header, so the search is short; it is not a second XML parse.
_SKIP_DAYS_RE: Final = re.compile(rb"<skipDays\b[^>]*>(.*?)</skipDays\s*>", re.DOTALL)
_DAY_RE: Final = re.compile(rb"<day\b[^>]*>\s*([A-Za-z]+)\s*</day\s*>")
_WEEKDAYS: Final = frozenset(
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)
# arXiv answers a bad query with a channel titled "Feed error for query: <url>".
_ERROR_TITLE_PREFIX: Final = "feed error"
_ANNOUNCE_TYPES: Final[dict[str, AnnounceType]] = {
    "new": "new",
    "cross": "cross",
    "replace": "replace",
    "replace-cross": "replace-cross",
}
# A document cut short (dropped connection, size cap) does not end with its root's closing tag;
# then only the entries whose closing tag arrived are whole. Prefixes as in `</rdf:RDF>`.
_ROOT_END_RE: Final = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|RDF)\s*>\s*\Z")
_ENTRY_END_RE: Final = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")


def parse_arxiv_rss(data: bytes) -> FeedParse:
    """Parse one rss.arxiv.org document.

    Raises :class:`FeedError` if ``data`` is not an RSS/Atom document at all. A damaged but
    recognisable feed (feedparser's ``bozo`` flag) still yields the entries it holds; entries a
    truncated document cuts off are reported as errors rather than published half-written.
    """
    # BytesIO, never the bytes themselves: feedparser treats a bare string as a file name or URL
    # to open, and these bytes come from the network.
    # HTML sanitising and URI resolution are off because both run an HTML parser over text that
    # only looks like HTML: "$a<b$ and $c>d$" came out as "$a<b>d$". Markup is stripped later by
    # clean_text, which knows TeX.
    # feedparser does not expand external entities, but a billion-laughs document would still
    # be parsed and could publish entries: refuse any DTD up front, as every XML format does.
    # It is given the document decoded once, as UTF-8 (documents.xml_text), so it never
    # re-decodes the whole document with a fallback codec for one bad byte.
    document = xml_text(data, expected="an arXiv RSS feed")
    data = document.utf8()
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version"):
        raise FeedError(_not_a_feed_reason(data, parsed.get("bozo_exception")))

    feed = _feed_info(parsed.get("feed") or {}, data)
    entries: list[Mapping[str, Any]] = list(parsed.get("entries") or [])
    complete = len(entries)
    if parsed.get("bozo") and not _ROOT_END_RE.search(data[-256:]):
        # feedparser's lenient fallback hands back the half-received last entry as if whole; its
        # (id, version) would then be published once with a cut abstract and never again.
        complete = min(complete, len(_ENTRY_END_RE.findall(data)))

    def convert(numbered: tuple[int, Mapping[str, Any]]) -> Paper:
        index, entry = numbered
        if index >= complete:
            raise Rejected("the document ends inside this entry", _raw_id(entry))
        return _paper(entry, feed.announce_date)

    converted = convert_entries(enumerate(entries), convert)
    return FeedParse(
        papers=converted.papers,
        errors=converted.errors,
        feed=feed,
        repairs=(*document_repairs(document), *converted.repairs),
    )


def _not_a_feed_reason(data: bytes, exc: object) -> str:
    head = data[:2048].lstrip().lower()
    if not head:
        return "not a feed: the document is empty"
    if b"<html" in head:
        return "not an RSS/Atom feed: got an HTML page"
    if isinstance(exc, xml.sax.SAXParseException):
        return f"not XML: {exc.getMessage()}"
    if exc is not None:
        return f"not XML: {exc}"
    return "not an RSS/Atom feed: the root element is not rss, rdf:RDF or feed"


def _feed_info(channel: Mapping[str, Any], data: bytes) -> FeedInfo:
    raw_title = _text(channel, "title")
    title = clean_text(raw_title) if raw_title else None
    is_error = title is not None and title.lower().startswith(_ERROR_TITLE_PREFIX)
    error_message: str | None = None
    if is_error:
        description = _text(channel, "subtitle")
        error_message = (clean_text(description) if description else None) or title
    return FeedInfo(
        title=title or None,
        announce_date=_date(channel),
        is_error=is_error,
        error_message=error_message,
        skip_days=_skip_days(data),
    )


def _skip_days(data: bytes) -> tuple[str, ...]:
    # The channel header ends at the first item; RSS allows the block after the items too.
    first_item = data.find(b"<item")
    match = _SKIP_DAYS_RE.search(data, 0, first_item if first_item >= 0 else len(data))
    if match is None and first_item >= 0:
        match = _SKIP_DAYS_RE.search(data, max(data.rfind(b"</item>"), 0))
    if match is None:
        return ()
    days = (day.decode("ascii").capitalize() for day in _DAY_RE.findall(match.group(1)))
    return tuple(day for day in days if day in _WEEKDAYS)


def _paper(entry: Mapping[str, Any], feed_date: dt.date | None) -> Paper:
    guid = _text(entry, "id")
    description = _text(entry, "summary")
    try:
        announcement = parse_announcement(description) if description else None
    except UnrecognisedPrefix as exc:
        raise Rejected(str(exc), guid) from None

    ref = _arxiv_ref(guid, announcement)
    if ref is None:
        raise Rejected(
            "no arXiv id: neither the guid nor the description prefix holds one",
            guid or _text(entry, "link"),
        )
    paper_id = ref.paper_id

    raw_title = _text(entry, "title")
    if raw_title is None:
        raise Rejected("no title", paper_id)
    title = clean_text(raw_title)
    if not title:
        raise Rejected("empty title", paper_id)

    published = _date(entry) or feed_date
    if published is None:
        raise Rejected("no announcement date: no item pubDate and no channel pubDate", paper_id)

    raw_type = _text(entry, "arxiv_announce_type")
    raw_type = raw_type.strip().lower() if raw_type else None
    if not raw_type and announcement is not None:
        raw_type = announcement.announce_type
    announce_type = _ANNOUNCE_TYPES.get(raw_type) if raw_type else None
    if raw_type and announce_type is None:
        raise Rejected(f"unknown announce type {raw_type!r}", paper_id)

    raw_doi = _text(entry, "arxiv_doi")
    # The RSS element is arxiv:journal_reference; the arXiv API's is arxiv:journal_ref.
    raw_journal_ref = _text(entry, "arxiv_journal_reference") or _text(entry, "arxiv_journal_ref")
    raw_license = _text(entry, "rights")

    with paper_validation(paper_id):
        return Paper(
            id=paper_id,
            version=ref.version,
            source="arxiv",
            announce_type=announce_type,
            title=title,
            abstract=announcement.abstract if announcement is not None else "",
            authors=_authors(entry),
            categories=_categories(entry),
            published=published,
            doi=normalise_doi(raw_doi) if raw_doi else None,
            journal_ref=_optional_text(raw_journal_ref),
            url=ref.abs_url,
            pdf_url=ref.pdf_url,
            license=_optional_text(raw_license),
        )


def _arxiv_ref(guid: str | None, announcement: Announcement | None) -> ArxivRef | None:
    # The guid is authoritative; the description prefix fills in what the guid lacks.
    guid_ref = parse_arxiv_ref(guid) if guid else None
    prefix_ref = announcement.ref if announcement is not None else None
    if guid_ref is None:
        return prefix_ref
    if guid_ref.version is None and prefix_ref is not None and prefix_ref.id == guid_ref.id:
        return prefix_ref
    return guid_ref


def _authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    # arXiv sends one dc:creator holding every name. feedparser's `author` is that text as sent;
    # its `authors[0].name` is not: an e-mail address in it is cut out together with a bracket
    # next to it, unbalancing the affiliations. Feeds that repeat dc:creator have `authors`
    # in order (`author` is then only the last name), so only they are read from the list.
    details = [a for a in entry.get("authors") or () if isinstance(a, Mapping)]
    if len(details) <= 1:
        raw = _text(entry, "author")
        return split_authors(raw) if raw else ()
    names: list[str] = []
    for author in details:
        name = author.get("name")
        if isinstance(name, str):
            names.extend(split_authors(name))
    return tuple(names)


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    seen: dict[str, None] = {}  # ordered set: the primary category must stay first
    for tag in entry.get("tags") or ():
        term = tag.get("term") if isinstance(tag, Mapping) else None
        if isinstance(term, str) and term.strip():
            seen.setdefault(term.strip(), None)
    return tuple(seen)


def _date(node: Mapping[str, Any]) -> dt.date | None:
    parsed = node.get("published_parsed")
    return parse_feed_date(
        _text(node, "published"), parsed if isinstance(parsed, time.struct_time) else None
    )


def _text(node: Mapping[str, Any], key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None


def _optional_text(raw: str | None) -> str | None:
    text = clean_text(raw) if raw else ""
    return text or None


def _raw_id(entry: Mapping[str, Any]) -> str | None:
    return _text(entry, "id") or _text(entry, "link")
