"""connect.biorxiv.org / connect.medrxiv.org RSS 1.0 (RDF) feeds to canonical papers (FEEDS 5).

Both variants seen are read: the 2018 one with one ``dc:creator`` per author, and the one since
2023 with every author in one comma-joined CDATA creator.

=================  =========================================================================
Paper field        source
=================  =========================================================================
id, doi            ``doi:<doi>`` from ``dc:identifier`` (``doi:10.1101/...``), lower-cased
version            the ``vN`` of the item ``link`` (``.../2023.12.16.571984v1?rss=1``); the
                   DOI has none
source             the link's host (``biorxiv.org``/``medrxiv.org``), else the channel's name
title, abstract    ``title`` / ``dc:title``, ``description`` (padding stripped, JATS tokens
                   removed as for the API)
authors            every ``dc:creator`` as written, or the one creator split into
                   "Surname, Initials" names
categories         the item's ``dc:subject``, else the subject of the channel title
                   ("bioRxiv Subject Collection: Biochemistry" -> ``Biochemistry``)
published          ``dc:date``, ``prism:publicationDate``
url, pdf_url       ``https://www.<server>.org/content/<doi>v<N>`` (+ ``.full.pdf``), as the
                   JSON API's papers, so both sources give the same links
=================  =========================================================================

The author order of these feeds may differ from the paper's byline (FEEDS.md: 287102 lists its
last author first); it is kept as the feed gives it.
"""

from __future__ import annotations

import re
from typing import Final

from academichub.contracts import Paper
from academichub.ingestor.domain.normalise import (
    PreprintServer,
    clean_flattened_abstract,
    clean_text,
    doi_from_identifier,
    doi_paper_id,
    parse_partial_date,
    preprint_server,
    split_surname_initials,
)
from academichub.ingestor.formats import FeedInfo, FeedParse
from academichub.ingestor.formats.entries import Rejected, convert_entries, paper_validation
from academichub.ingestor.formats.syndication import Fields, read_syndication

# `.../content/short/2023.12.16.571984v1?rss=1`, `.../content/10.1101/287961v2`: the last path
# segment ends in the version.
_LINK_VERSION_RE: Final = re.compile(r"v(?P<version>\d+)(?:[?#]|\.full|\.abstract|/?$)")
_SUBJECT_RE: Final = re.compile(r"Subject\s+Collection\s*:\s*(?P<subject>.+)", re.IGNORECASE)
_ALL_SUBJECTS: Final = frozenset({"all", "all articles", "all subjects"})


def parse_biorxiv_rss(data: bytes) -> FeedParse:
    """Parse one bioRxiv/medRxiv subject feed.

    Raises :class:`~academichub.ingestor.formats.FeedError` for bytes that are not an RSS/Atom
    feed (see :mod:`.documents` for what is refused).
    """
    channel = read_syndication(data, expected="a bioRxiv/medRxiv RSS feed")
    title = clean_text(channel.fields.first("title") or "")
    channel_server = preprint_server(
        " ".join((title, channel.fields.first("prism:publicationName") or ""))
    )
    subject_match = _SUBJECT_RE.search(title)
    subject = subject_match.group("subject").strip() if subject_match else None
    if subject is not None and subject.lower() in _ALL_SUBJECTS:
        subject = None
    converted = convert_entries(channel.items, lambda item: _paper(item, channel_server, subject))
    feed = FeedInfo(
        title=title or None,
        announce_date=None,
        is_error=False,
        error_message=None,
        skip_days=(),
    )
    return FeedParse(
        papers=converted.papers,
        errors=converted.errors,
        feed=feed,
        repairs=(*channel.repairs, *converted.repairs),
    )


def _paper(item: Fields, channel_server: PreprintServer | None, subject: str | None) -> Paper:
    link = item.first("link", "rdf:about")
    doi = next(filter(None, map(doi_from_identifier, item.all("dc:identifier", "prism:doi"))), None)
    if doi is None:
        raise Rejected("no DOI in dc:identifier", link)
    paper_id = doi_paper_id(doi)

    version_match = _LINK_VERSION_RE.search(link) if link else None
    if version_match is None:
        raise Rejected(f"no version: the link {link!r} does not end in vN", paper_id)
    version = int(version_match.group("version"))
    server = (preprint_server(link) if link else None) or channel_server
    if server is None:
        raise Rejected(f"not bioRxiv or medRxiv: link {link!r}", paper_id)

    title = clean_text(item.first("title", "dc:title") or "")
    if not title:
        raise Rejected("empty title", paper_id)
    published = parse_partial_date(item.first("dc:date", "prism:publicationDate"))
    if published is None:
        raise Rejected("no date: no dc:date or prism:publicationDate", paper_id)

    categories = tuple(dict.fromkeys(filter(None, map(clean_text, item.all("dc:subject")))))
    url = f"https://www.{server}.org/content/{doi}v{version}"
    with paper_validation(paper_id):
        return Paper(
            id=paper_id,
            version=version,
            source=server,
            title=title,
            abstract=clean_flattened_abstract(item.first("description") or ""),
            authors=_authors(item),
            categories=categories or ((subject,) if subject else ()),
            published=published,
            doi=doi,
            url=url,
            pdf_url=f"{url}.full.pdf",
        )


def _authors(item: Fields) -> tuple[str, ...]:
    creators = [creator for creator in item.all("dc:creator") if creator.strip()]
    if len(creators) == 1:
        # Since 2023 one creator holds every "Surname, Initials" name, joined with the same
        # comma that separates surname and initials.
        return split_surname_initials(creators[0])
    return tuple(filter(None, map(clean_text, creators)))
