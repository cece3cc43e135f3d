"""Filling what a journal feed left out from Crossref's record of the work (FEEDS.md 7).

Journal tables of contents often carry no abstract (Nature, Science) or no authors. For such a
paper with a DOI, ``GET {base_url}/works/{doi}`` is asked, through the host pacer, and the
fields the feed did not give are taken from the work: abstract, authors, licence and journal
reference. A field the feed gave is never replaced.

Crossref's polite pool (10 requests/s, 3 at once, against 5/s and 1 at once for the public
pool) is reached by a ``mailto:`` in the User-Agent. That header is set once on the shared
httpx client by the composition root, so requests here add no ``mailto`` parameter.

How one DOI can fail, without costing any other paper anything::

    HTTP 404                   Crossref does not know the DOI     -> failed, paper unchanged
    other HTTP status          rate limit (429), server error     -> failed, paper unchanged;
                                                                     after a 429 the remaining
                                                                     DOIs are not asked now
    not a work / bad JSON      FeedError, an error document, a    -> failed, paper unchanged
                               work of a type that is no paper
    TransientError             timeout, reset, body too large     -> failed, paper unchanged;
                               NetworkUnreachable                 -> the remaining DOIs are
                                                                     not asked now either
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

from academichub.contracts import Paper
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import Fetcher, NetworkUnreachable
from academichub.ingestor.formats import FeedError
from academichub.ingestor.formats.crossref_json import (
    WorkRelations,
    crossref_relations,
    parse_crossref_json,
)
from academichub.platform.errors import TransientError

log = logging.getLogger(__name__)

CROSSREF_API: Final = "https://api.crossref.org"
_HTTP_NOT_FOUND: Final = 404
_HTTP_TOO_MANY: Final = 429


def needs_enrichment(paper: Paper) -> bool:
    """A journal paper with a DOI that lacks an abstract or authors."""
    return (
        paper.source.startswith("journal:")
        and paper.doi is not None
        and (not paper.abstract or not paper.authors)
    )


def fill_missing(paper: Paper, work: Paper) -> Paper:
    """``paper`` with the fields it lacks taken from Crossref's ``work``; never replaces one."""
    update: dict[str, Any] = {}
    if not paper.abstract and work.abstract:
        update["abstract"] = work.abstract
    if not paper.authors and work.authors:
        update["authors"] = work.authors
    if paper.license is None and work.license is not None:
        update["license"] = work.license
    if paper.journal_ref is None and work.journal_ref is not None:
        update["journal_ref"] = work.journal_ref
    # ``published`` is not here: a Paper always has one, and a feed's partial date
    # (2021-05 -> the 1st) cannot be told from a full one.
    return paper.model_copy(update=update) if update else paper


@dataclass(frozen=True)
class EnrichResult:
    papers: tuple[Paper, ...]  # the papers given, in order, enriched where Crossref could
    enriched: int  # papers that got at least one field
    failed: list[tuple[str, str]] = field(default_factory=list)  # (paper id, reason)
    # The preprint relations of the works fetched, by lower-cased DOI (for linking).
    relations: dict[str, WorkRelations] = field(default_factory=dict)


@dataclass(frozen=True)
class _Answer:
    """What Crossref said about one DOI."""

    work: Paper | None
    failure: str | None = None  # why there is no work
    relations: dict[str, WorkRelations] = field(default_factory=dict)
    stop: str | None = None  # why no further DOI should be asked in this call


class CrossrefEnricher:
    def __init__(self, fetcher: Fetcher, pacer: HostPacer, *, base_url: str = CROSSREF_API) -> None:
        self._fetcher = fetcher
        self._pacer = pacer
        self._base_url = base_url.rstrip("/")

    def work_url(self, doi: str) -> str:
        # The DOI's "/" stays: Crossref routes /works/10.1371/journal.pone.0033693.
        return f"{self._base_url}/works/{quote(doi, safe='/')}"

    async def enrich(self, papers: Sequence[Paper]) -> EnrichResult:
        """Each paper that :func:`needs_enrichment`, with the fields it lacks filled from
        Crossref; the others as they are. One DOI's failure is counted in ``failed``."""
        out: list[Paper] = []
        failed: list[tuple[str, str]] = []
        relations: dict[str, WorkRelations] = {}
        stop: str | None = None
        for paper in papers:
            if paper.doi is None or not needs_enrichment(paper):
                out.append(paper)
                continue
            answer = _Answer(None, f"not asked: {stop}") if stop else await self._ask(paper.doi)
            stop = stop or answer.stop
            relations.update(answer.relations)
            if answer.work is None:
                reason = answer.failure or "no work"
                log.warning("Crossref enrichment of %s skipped: %s", paper.id, reason)
                failed.append((paper.id, reason))
                out.append(paper)
            else:
                out.append(fill_missing(paper, answer.work))
        enriched = sum(after is not before for before, after in zip(papers, out, strict=True))
        return EnrichResult(tuple(out), enriched, failed, relations)

    async def _ask(self, doi: str) -> _Answer:
        url = self.work_url(doi)
        try:
            async with self._pacer.slot(url):
                result = await self._fetcher.fetch(url)
        except NetworkUnreachable as exc:
            return _Answer(None, str(exc), stop="Crossref was unreachable")
        except TransientError as exc:
            return _Answer(None, f"{type(exc).__name__}: {exc}")
        if result.status == _HTTP_NOT_FOUND:
            return _Answer(None, f"HTTP 404: Crossref does not know {doi}")
        if result.status == _HTTP_TOO_MANY:
            return _Answer(None, f"HTTP 429 from {url}", stop="Crossref rate-limited this call")
        if result.status != 200:
            return _Answer(None, f"HTTP {result.status} from {url}")
        try:
            parsed = parse_crossref_json(result.body)
            relations = crossref_relations(result.body)
        except FeedError as exc:
            return _Answer(None, f"not a Crossref work: {exc}")
        if parsed.feed.is_error:
            return _Answer(None, f"Crossref error: {parsed.feed.error_message}")
        if not parsed.papers:
            reasons = "; ".join(error.reason for error in parsed.errors) or "no work in it"
            return _Answer(None, f"not usable: {reasons}", relations)
        return _Answer(parsed.papers[0], relations=relations)
