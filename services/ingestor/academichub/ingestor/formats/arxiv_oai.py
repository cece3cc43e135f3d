"""arXiv OAI-PMH ``ListRecords``/``GetRecord`` pages to canonical papers (FEEDS.md section 4).

Three metadata formats, told apart by each record's metadata element:

``arXivRaw`` (the one to harvest: full version history)
    One Paper per record, for its **latest** version: ``version`` = the highest ``vN``,
    ``published`` = that version's submission date. Every version and its date is in
    ``FeedParse.versions[paper.id]``, oldest first. Authors are the one ``authors`` string,
    split as arXiv RSS's creator string is.
``arXiv``
    Authors from ``keyname``/``forenames``/``suffix`` as "Forenames Keyname Suffix". The format
    dates v1 (``created``) and the latest version (``updated``) but does not number the latter:
    a record without ``updated`` is version 1, one with it has ``version`` None, and the
    history holds ``(1, created)`` and ``(None, updated)``.
``oai_dc``
    Cheap and lossy: ``dc:creator`` "Surname, Forenames" turned around, the first
    ``dc:description`` as abstract (the ``Comment:`` one skipped), ``dc:date`` for the versions
    as in ``arXiv``, ``doi:`` and the free-text journal reference among ``dc:identifier``.
    Categories come from the header's ``setSpec`` (``physics:hep-th`` -> ``hep-th``), since
    oai_dc only names subjects in words ("Quantum Physics").

Every format: categories space-separated, primary first; ``announce_type`` None (OAI lists
records, not announcements); a header with ``status="deleted"`` is an EntryError (there is no
paper to publish).

The page: ``resumptionToken`` text is ``FeedInfo.next_cursor`` (empty on the last page -> None),
its ``completeListSize``/``cursor`` attributes (legacy server only) ``total_results`` and
``start_index``; ``responseDate`` is ``response_date``, the ``from`` of the next incremental
harvest. An OAI ``<error code="...">`` is not a FeedError: ``noRecordsMatch`` (nothing changed
since ``from``) is an empty page with ``error_code`` set and ``is_error`` False; every other
code (``badResumptionToken``, ``badArgument``, ...) is ``is_error`` with the server's message.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Final

from academichub.contracts import Paper
from academichub.ingestor.domain.normalise import (
    ArxivRef,
    clean_name,
    clean_text,
    clean_text_or_none,
    doi_from_identifier,
    forenames_first,
    normalise_doi,
    parse_arxiv_ref,
    parse_feed_date,
    split_authors,
)
from academichub.ingestor.formats import FeedError, FeedInfo, FeedParse, PaperVersion
from academichub.ingestor.formats.documents import child_text, element_text, load_xml, local_name
from academichub.ingestor.formats.entries import Rejected, convert_entries, paper_validation
from academichub.ingestor.formats.paging import count, timestamp

_OAI: Final = "{http://www.openarchives.org/OAI/2.0/}"
_RAW: Final = "{http://arxiv.org/OAI/arXivRaw/}"
_ARXIV: Final = "{http://arxiv.org/OAI/arXiv/}"
_OAI_DC: Final = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
_DC: Final = "{http://purl.org/dc/elements/1.1/}"
# The harvest is up to date: an answer, not a failure (OAI-PMH 2.0, section 3.6).
_EMPTY_ANSWER_CODES: Final = frozenset({"noRecordsMatch"})

_History = dict[str, tuple[PaperVersion, ...]]


def parse_arxiv_oai(data: bytes) -> FeedParse:
    """Parse one OAI-PMH response from export.arxiv.org/oai2 or oaipmh.arxiv.org/oai.

    Raises :class:`~academichub.ingestor.formats.FeedError` for bytes that are not an OAI-PMH
    response (see :mod:`.documents` for what is refused).
    """
    root, repaired = load_xml(data, expected="an OAI-PMH response")
    if root.tag != f"{_OAI}OAI-PMH":
        raise FeedError(f"not an OAI-PMH response: the root element is <{root.tag}>")

    versions: _History = {}
    records = root.findall(f"./{_OAI}ListRecords/{_OAI}record")
    records += root.findall(f"./{_OAI}GetRecord/{_OAI}record")
    converted = convert_entries(records, lambda record: _paper(record, versions))
    return FeedParse(
        papers=converted.papers,
        errors=converted.errors,
        feed=_feed_info(root),
        versions=versions,
        repairs=(*repaired, *converted.repairs),
    )


def _feed_info(root: ET.Element) -> FeedInfo:
    error = root.find(f"{_OAI}error")
    error_code = error.get("code") if error is not None else None
    is_error = error is not None and error_code not in _EMPTY_ANSWER_CODES
    error_message = None
    if is_error:
        error_message = clean_text(element_text(error) or "") or error_code or "OAI-PMH error"
    token = root.find(f"./{_OAI}ListRecords/{_OAI}resumptionToken")
    token_text = (token.text or "").strip() if token is not None else ""
    return FeedInfo(
        title=None,
        announce_date=None,
        is_error=is_error,
        error_message=error_message,
        skip_days=(),
        total_results=count(token.get("completeListSize")) if token is not None else None,
        start_index=count(token.get("cursor")) if token is not None else None,
        next_cursor=token_text or None,
        error_code=error_code,
        response_date=timestamp(child_text(root, f"{_OAI}responseDate")),
    )


def _paper(record: ET.Element, versions: _History) -> Paper:
    header = record.find(f"{_OAI}header")
    identifier = None
    if header is not None:
        identifier = (child_text(header, f"{_OAI}identifier") or "").strip() or None
        if header.get("status") == "deleted":
            raise Rejected("the record is deleted (OAI header status='deleted')", identifier)
    metadata = record.find(f"{_OAI}metadata")
    if metadata is None or len(metadata) == 0:
        raise Rejected("the record has no metadata", identifier)
    content = metadata[0]
    convert = _CONVERTERS.get(content.tag)
    if convert is None:
        raise Rejected(
            f"unknown metadata format <{local_name(content.tag)}> "
            "(expected arXivRaw, arXiv or oai_dc)",
            identifier,
        )
    paper, history = convert(content, header)
    # Recorded only for a paper that is published: a rejected record has no history to offer.
    versions[paper.id] = history
    return paper


def _raw_paper(meta: ET.Element, _header: ET.Element | None) -> _Converted:
    ref = _ref(child_text(meta, f"{_RAW}id"))
    history: list[PaperVersion] = []
    for element in meta.iter(f"{_RAW}version"):
        label = element.get("version") or ""
        raw_date = child_text(element, f"{_RAW}date")
        number = label.strip().lower().removeprefix("v")
        date = parse_feed_date(raw_date)
        if not number.isdigit() or date is None:
            raise Rejected(f"unreadable version {label!r} dated {raw_date!r}", ref.paper_id)
        history.append(PaperVersion(int(number), date))
    if not history:
        raise Rejected("no <version> elements: the record has no date", ref.paper_id)
    history.sort(key=lambda version: version.version or 0)
    latest = history[-1]
    paper = _shared_fields(
        ArxivRef(ref.id, latest.version),
        meta,
        _RAW,
        authors=split_authors(child_text(meta, f"{_RAW}authors") or ""),
        published=latest.date,
    )
    return paper, tuple(history)


def _arxiv_paper(meta: ET.Element, _header: ET.Element | None) -> _Converted:
    ref = _ref(child_text(meta, f"{_ARXIV}id"))
    history = _dated_history(
        ref,
        parse_feed_date(child_text(meta, f"{_ARXIV}created")),
        parse_feed_date(child_text(meta, f"{_ARXIV}updated")),
    )
    names = (
        forenames_first(
            child_text(author, f"{_ARXIV}keyname") or "",
            child_text(author, f"{_ARXIV}forenames") or "",
            child_text(author, f"{_ARXIV}suffix") or "",
        )
        for author in meta.iter(f"{_ARXIV}author")
    )
    paper = _shared_fields(
        ArxivRef(ref.id, history[-1].version),
        meta,
        _ARXIV,
        authors=tuple(name for name in names if name),
        published=history[-1].date,
    )
    return paper, history


def _dc_paper(meta: ET.Element, header: ET.Element | None) -> _Converted:
    identifiers = [clean_text(text) for text in _texts(meta, f"{_DC}identifier")]
    refs = [ref for ref in map(parse_arxiv_ref, identifiers) if ref is not None]
    header_id = child_text(header, f"{_OAI}identifier") if header is not None else None
    bare = refs[0] if refs else _ref(header_id)
    dates = sorted(filter(None, map(parse_feed_date, _texts(meta, f"{_DC}date"))))
    history = _dated_history(bare, dates[0] if dates else None, dates[-1] if dates else None)
    ref = ArxivRef(bare.id, history[-1].version)

    title = clean_text(child_text(meta, f"{_DC}title") or "")
    if not title:
        raise Rejected("empty title", ref.paper_id)
    descriptions = (clean_text(text) for text in _texts(meta, f"{_DC}description"))
    # The first description is the abstract; arXiv adds the comments as "Comment: ...".
    abstracts = [text for text in descriptions if text and not text.startswith("Comment:")]
    dois = [doi for doi in map(doi_from_identifier, identifiers) if doi]
    # What is neither a URL nor a DOI among the identifiers is the free-text journal reference.
    references = [
        text
        for text in identifiers
        if text and not text.startswith(("http://", "https://")) and not doi_from_identifier(text)
    ]
    # oai_dc names subjects in words only; the set (`physics:hep-th`, `cs`) is the best code.
    set_specs = _texts(header, f"{_OAI}setSpec") if header is not None else []
    categories = (spec.rpartition(":")[2].strip() for spec in set_specs)
    creators = (_surname_last(text) for text in _texts(meta, f"{_DC}creator"))
    with paper_validation(ref.paper_id):
        paper = Paper(
            id=ref.paper_id,
            version=ref.version,
            source="arxiv",
            title=title,
            abstract=abstracts[0] if abstracts else "",
            authors=tuple(name for name in creators if name),
            categories=tuple(dict.fromkeys(category for category in categories if category)),
            published=history[-1].date,
            doi=dois[0] if dois else None,
            journal_ref=references[0] if references else None,
            url=ref.abs_url,
            pdf_url=ref.pdf_url,
        )
    return paper, history


_Converted = tuple[Paper, tuple[PaperVersion, ...]]
_CONVERTERS: Final[dict[str, Callable[[ET.Element, ET.Element | None], _Converted]]] = {
    f"{_RAW}arXivRaw": _raw_paper,
    f"{_ARXIV}arXiv": _arxiv_paper,
    f"{_OAI_DC}dc": _dc_paper,
}


def _ref(raw_id: str | None) -> ArxivRef:
    ref = parse_arxiv_ref(raw_id) if raw_id else None
    if ref is None:
        raise Rejected(f"no arXiv id: <id> is {raw_id!r}", raw_id or None)
    return ref


def _dated_history(
    ref: ArxivRef, created: dt.date | None, updated: dt.date | None
) -> tuple[PaperVersion, ...]:
    if created is None:
        raise Rejected("no date: the record has no creation date", ref.paper_id)
    if updated is None or updated == created:
        return (PaperVersion(1, created),)
    return (PaperVersion(1, created), PaperVersion(None, updated))


def _shared_fields(
    ref: ArxivRef, meta: ET.Element, ns: str, *, authors: tuple[str, ...], published: dt.date
) -> Paper:
    """The fields arXivRaw and arXiv share, element for element, in their own namespaces."""
    title = clean_text(child_text(meta, f"{ns}title") or "")
    if not title:
        raise Rejected("empty title", ref.paper_id)
    raw_doi = child_text(meta, f"{ns}doi")
    with paper_validation(ref.paper_id):
        return Paper(
            id=ref.paper_id,
            version=ref.version,
            source="arxiv",
            title=title,
            abstract=clean_text(child_text(meta, f"{ns}abstract") or ""),
            authors=authors,
            categories=tuple(dict.fromkeys((child_text(meta, f"{ns}categories") or "").split())),
            published=published,
            # The element may list several DOIs; the first is the journal version's.
            doi=normalise_doi(raw_doi) if raw_doi else None,
            journal_ref=clean_text_or_none(child_text(meta, f"{ns}journal-ref")),
            url=ref.abs_url,
            pdf_url=ref.pdf_url,
            license=clean_text_or_none(child_text(meta, f"{ns}license")),
        )


def _texts(parent: ET.Element, tag: str) -> list[str]:
    return [element_text(element) or "" for element in parent.iter(tag)]


def _surname_last(creator: str) -> str:
    # oai_dc writes "Surname, Forenames"; the other arXiv formats give "Forenames Surname".
    surname, comma, forenames = creator.partition(",")
    return forenames_first(surname, forenames) if comma else clean_name(creator)
