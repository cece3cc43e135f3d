"""Journal table-of-contents feeds (RSS 1.0/RDF, RSS 2.0, Atom with Dublin Core and PRISM).

A journal paper is known by its DOI, so an item without one cannot become a Paper (FEEDS.md 8):

=================  =========================================================================
Paper field        source (the first that has a value)
=================  =========================================================================
id, doi            ``doi:<doi>`` lower-cased; the DOI from ``prism:doi``, every
                   ``dc:identifier`` (``doi:10.x``, ``doi: 10.x``, ``info:doi/10.x``, resolver
                   URLs), then ``guid``/Atom ``id``, ``link``, ``rdf:about`` if they are DOIs
source             ``journal:<slug>`` of the ``journal`` option, else the item's then the
                   channel's ``prism:publicationName``, else the channel title
title              ``title``, ``dc:title``
abstract           ``description`` / Atom ``summary``, ``dc:description``, Atom ``content``;
                   an empty one (Science's ``<![CDATA[]]>``) is an empty abstract
authors            repeated ``dc:creator`` in order, else Atom ``author/name``; each kept as
                   written ("Fuentes, A."); one creator holding ``;`` is split on it
categories         ``dc:subject`` and ``category``
published          ``prism:publicationDate``, ``prism:coverDate``, ``dc:date``, ``pubDate``,
                   Atom ``published``, ``updated`` (``2021-05`` -> the 1st; normalise.dates)
journal_ref        publication name, ``prism:volume``(``prism:number``), pages, year
url                ``link``, ``rdf:about``
license            ``cc:license``, ``dc:rights``, Atom ``rights``
=================  =========================================================================

``version`` and ``announce_type`` are None: journals publish one version of record.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from academichub.contracts import Paper
from academichub.ingestor.domain.normalise import (
    clean_text,
    clean_text_or_none,
    doi_from_identifier,
    doi_paper_id,
    journal_reference,
    journal_source,
    parse_partial_date,
)
from academichub.ingestor.formats import FeedInfo, FeedParse
from academichub.ingestor.formats.entries import Rejected, convert_entries, paper_validation
from academichub.ingestor.formats.syndication import Channel, Fields, read_syndication

_DOI_KEYS: Final = ("prism:doi", "dc:identifier", "guid", "id", "link", "rdf:about")
_DATE_KEYS: Final = (
    "prism:publicationDate",
    "prism:coverDate",
    "dc:date",
    "pubDate",
    "published",
    "updated",
)
_CHANNEL_DATE_KEYS: Final = ("dc:date", "prism:publicationDate", "pubDate", "updated")


def parse_rss(data: bytes, *, journal: str | None = None) -> FeedParse:
    """Parse one journal feed.

    ``journal`` names the journal (``Science`` or ``journal:science``) when the feed's own name
    is not the one wanted ("ScienceDirect Publication: Cell"); it wins over the feed's names.
    Raises :class:`~academichub.ingestor.formats.FeedError` for bytes that are not an RSS/Atom
    feed, and ValueError for a ``journal`` with nothing to slug (a configuration error).
    """
    forced_source = None
    if journal is not None:
        forced_source = journal_source(journal.removeprefix("journal:"))
        if forced_source is None:
            raise ValueError(f"journal {journal!r} has no letters or digits to make a slug of")
    channel = read_syndication(data, expected="an RSS/Atom feed")
    channel_name = channel.fields.first("prism:publicationName") or channel.fields.first("title")
    converted = convert_entries(
        channel.items, lambda item: _paper(item, forced_source, channel_name)
    )
    return FeedParse(
        papers=converted.papers,
        errors=converted.errors,
        feed=_feed_info(channel),
        repairs=(*channel.repairs, *converted.repairs),
    )


def _feed_info(channel: Channel) -> FeedInfo:
    title = clean_text(channel.fields.first("title") or "")
    return FeedInfo(
        title=title or None,
        announce_date=_date(channel.fields, _CHANNEL_DATE_KEYS),
        is_error=False,
        error_message=None,
        skip_days=channel.skip_days,
    )


def _paper(item: Fields, forced_source: str | None, channel_name: str | None) -> Paper:
    doi = next(filter(None, map(doi_from_identifier, item.all(*_DOI_KEYS))), None)
    label = item.first("link", "rdf:about", "guid", "id") or item.first("title")
    if doi is None:
        raise Rejected(
            "no DOI: none of prism:doi, dc:identifier, guid/id or link holds one",
            clean_text(label) if label else None,
        )
    paper_id = doi_paper_id(doi)

    name = item.first("prism:publicationName") or channel_name
    source = forced_source or (journal_source(name) if name else None)
    if source is None:
        raise Rejected(
            "no journal name for the source: no prism:publicationName or title", paper_id
        )

    title = clean_text(item.first("title", "dc:title") or "")
    if not title:
        raise Rejected("empty title", paper_id)
    published = _date(item, _DATE_KEYS)
    if published is None:
        raise Rejected(f"no date: none of {', '.join(_DATE_KEYS)} can be read", paper_id)

    abstract = item.first("description", "summary", "dc:description", "content")
    license_ = item.first("cc:license", "dc:rights", "rights")
    url = item.first("link", "rdf:about")
    with paper_validation(paper_id):
        return Paper(
            id=paper_id,
            version=None,
            source=source,
            title=title,
            abstract=clean_text(abstract) if abstract else "",
            authors=_authors(item),
            categories=tuple(
                dict.fromkeys(filter(None, map(clean_text, item.all("dc:subject", "category"))))
            ),
            published=published,
            doi=doi,
            journal_ref=_journal_ref(item, name, published),
            url=url,
            license=clean_text_or_none(license_),
        )


def _authors(item: Fields) -> tuple[str, ...]:
    creators = item.all("dc:creator") or item.all("author")
    if len(creators) == 1 and ";" in creators[0]:
        creators = tuple(creators[0].split(";"))
    return tuple(filter(None, map(clean_text, creators)))


def _date(fields: Fields, keys: tuple[str, ...]) -> dt.date | None:
    for value in fields.all(*keys):
        date = parse_partial_date(value)
        if date is not None:
            return date
    return None


def _journal_ref(item: Fields, name: str | None, published: dt.date) -> str | None:
    first_page = item.first("prism:startingPage")
    last_page = item.first("prism:endingPage")
    pages = first_page
    if first_page and last_page and last_page != first_page:
        pages = f"{first_page}-{last_page}"
    return journal_reference(
        name,
        volume=item.first("prism:volume"),
        issue=item.first("prism:number"),
        pages=pages,
        year=published.year,
    )
