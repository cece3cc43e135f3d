"""A journal publication recorded on its preprint instead of published as a second paper.

When a preprint is published it is remembered under its DOIs (see
:func:`academichub.store.publication.preprint_dois`): its own (bioRxiv/medRxiv: its DOI;
arXiv: ``10.48550/arxiv.<id>``) and the journal DOI it reports (arXiv: ``doi``; bioRxiv:
``journal_ref`` ``doi:<journal doi>``). A journal paper then links to a preprint when

* its DOI is a journal DOI a remembered preprint reported, or
* its Crossref ``relation`` ``has-preprint`` names a remembered preprint's DOI.

A linked journal entry is not published. The preprint is sent again instead -- the same id
and version as last published, so the matcher's store records the publication on the
stored paper (``PaperWrite.PUBLISHED``) and radars see no new paper -- with the publication
merged: ``journal_ref`` becomes the journal's reference including its DOI, and an arXiv
preprint's ``doi`` the journal DOI (arXiv's own field for it). The journal entry's key is
marked published, so later polls skip it.

Two more cases keep what is known on the paper:

* a new version of a preprint that does not report the publication an earlier version
  had is sent with it (arXiv's v3 may lack the DOI that v2's metadata carried);
* a preprint listed again under a published key (an OAI record updated with its DOI) that
  now reports a publication the remembered one lacks is sent again with it.

:func:`plan_links` is pure; :class:`PreprintLinker` adds the store lookups around it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from academichub.contracts import Paper
from academichub.ingestor.formats.crossref_json import WorkRelations
from academichub.store.door import AsyncStore
from academichub.store.port import PreprintLinkStore
from academichub.store.publication import is_preprint, own_doi, preprint_dois

Key = tuple[str, int | None]
NO_RELATIONS: Mapping[str, WorkRelations] = {}


@dataclass(frozen=True)
class Link:
    journal_key: Key  # the journal entry, not published itself
    preprint_id: str  # the preprint it was recorded on
    doi: str  # the DOI that tied them


@dataclass(frozen=True)
class LinkPlan:
    papers: tuple[Paper, ...]  # what to publish, in document order, republished ones last
    linked: tuple[Link, ...]
    republished: tuple[Key, ...]  # keys among ``papers`` published before, sent again

    @property
    def linked_keys(self) -> tuple[Key, ...]:
        return tuple(link.journal_key for link in self.linked)


def _rank(version: int | None) -> int:
    return 0 if version is None else version


def is_journal_paper(paper: Paper) -> bool:
    return paper.source.startswith("journal:") and paper.doi is not None


def journal_reference_text(journal: Paper) -> str:
    """The journal's reference with its DOI: ``PLoS ONE 7(3), e33693 (2012), doi:10.1371/x``,
    or ``doi:10.1371/x`` alone for an article without volume or pages yet."""
    doi = journal.doi or journal.id.removeprefix("doi:")
    reference = journal.journal_ref
    if not reference:
        return f"doi:{doi}"
    if doi.lower() in reference.lower():
        return reference
    return f"{reference}, doi:{doi}"


def merge_journal(preprint: Paper, journal: Paper) -> Paper:
    """The preprint carrying the journal publication (nothing else of it changes)."""
    update: dict[str, Any] = {"journal_ref": journal_reference_text(journal)}
    if preprint.source == "arxiv":
        update["doi"] = journal.doi
    return preprint.model_copy(update=update)


def add_missing_publication(paper: Paper, known: Paper) -> Paper:
    """``paper`` with the publication ``known`` reports where ``paper`` reports none."""
    update: dict[str, Any] = {}
    if paper.doi is None and known.doi is not None and known.doi != own_doi(known):
        update["doi"] = known.doi
    if paper.journal_ref is None and known.journal_ref is not None:
        update["journal_ref"] = known.journal_ref
    return paper.model_copy(update=update) if update else paper


def with_reported_relations(paper: Paper, relations: Mapping[str, WorkRelations]) -> Paper:
    """A preprint Crossref lists as ``is-preprint-of`` a journal DOI, carrying that DOI the
    way bioRxiv's API reports it (``journal_ref`` ``doi:<journal doi>``) if it has none."""
    own = own_doi(paper)
    related = relations.get(own) if own else None
    if related is None or not related.is_preprint_of:
        return paper
    journal_doi = related.is_preprint_of[0]
    update: dict[str, Any] = {}
    if paper.source == "arxiv" and paper.doi is None:
        update["doi"] = journal_doi
    elif paper.source != "arxiv" and paper.journal_ref is None:
        update["journal_ref"] = f"doi:{journal_doi}"
    return paper.model_copy(update=update) if update else paper


def candidate_dois(journal: Paper, relations: Mapping[str, WorkRelations]) -> tuple[str, ...]:
    """The DOIs that may tie a journal paper to a preprint: its own, then its preprints'."""
    doi = (journal.doi or "").lower()
    related = relations.get(doi)
    return tuple(dict.fromkeys((doi, *(related.has_preprint if related else ()))))


def dois_to_look_up(
    papers: Iterable[Paper], fresh: Collection[Key], relations: Mapping[str, WorkRelations]
) -> set[str]:
    """What :func:`plan_links` needs from the remembered preprints for these papers."""
    dois: set[str] = set()
    for paper in papers:
        if is_preprint(paper):
            dois.update(doi for doi in (own_doi(paper),) if doi)
        elif paper.key in fresh and is_journal_paper(paper):
            dois.update(candidate_dois(paper, relations))
    return dois


def plan_links(
    papers: Sequence[Paper],
    fresh: Collection[Key],
    remembered: Mapping[str, Paper],
    relations: Mapping[str, WorkRelations] = NO_RELATIONS,
) -> LinkPlan:
    """What to publish for ``papers`` (one per key, document order), given which keys are
    ``fresh`` (not published yet) and the ``remembered`` preprints by lower-cased DOI."""
    out: list[Paper | None] = []  # None: a linked journal entry, not published
    latest: dict[str, int] = {}  # preprint id -> position of its newest version in out
    stored: dict[int, Paper] = {}  # position -> the remembered paper it started from

    def place(paper: Paper, origin: Paper | None = None) -> int:
        out.append(paper)
        at = len(out) - 1
        if origin is not None:
            stored[at] = origin
        held = latest.get(paper.id)
        if held is None or _rank(paper.version) >= _rank(_at(out, held).version):
            latest[paper.id] = at
        return at

    for paper in papers:
        if is_preprint(paper):
            reported = with_reported_relations(paper, relations)
            own = own_doi(paper)
            known = remembered.get(own) if own else None
            known = known if known is not None and known.id == paper.id else None
            if paper.key in fresh:
                place(add_missing_publication(reported, known) if known else reported)
            elif known is not None:
                more = add_missing_publication(known, reported)
                if more != known:
                    place(more, origin=known)
        elif paper.key in fresh:
            out.append(paper)

    by_doi = {doi: at for at in latest.values() for doi in preprint_dois(_at(out, at))}
    links: list[Link] = []
    for i, journal in enumerate(list(out)):
        if journal is None or is_preprint(journal) or not is_journal_paper(journal):
            continue
        found = _find_preprint(journal, relations, by_doi, remembered, out, latest, place)
        if found is None:
            continue
        at, doi = found
        merged = merge_journal(_at(out, at), journal)
        out[at] = merged
        by_doi.update((d, at) for d in preprint_dois(merged))
        out[i] = None
        links.append(Link(journal.key, merged.id, doi))

    # A remembered preprint a journal entry names but which already carries exactly that
    # publication (a replay of the journal feed after a crash) is not sent again.
    papers_out = [p for at, p in enumerate(out) if p is not None and p != stored.get(at)]
    ordered = [p for p in papers_out if p.key in fresh] + [
        p for p in papers_out if p.key not in fresh
    ]
    return LinkPlan(
        papers=tuple(ordered),
        linked=tuple(links),
        republished=tuple(p.key for p in ordered if p.key not in fresh),
    )


def _at(out: Sequence[Paper | None], at: int) -> Paper:
    paper = out[at]
    assert paper is not None  # preprint positions are never cleared
    return paper


def _find_preprint(
    journal: Paper,
    relations: Mapping[str, WorkRelations],
    by_doi: Mapping[str, int],
    remembered: Mapping[str, Paper],
    out: Sequence[Paper | None],
    latest: Mapping[str, int],
    place: Callable[[Paper, Paper | None], int],
) -> tuple[int, str] | None:
    """The position in ``out`` of the preprint the journal paper links to, and the DOI."""
    journal_doi = (journal.doi or "").lower()
    for doi in candidate_dois(journal, relations):
        if doi in by_doi:
            preprint, at = _at(out, by_doi[doi]), by_doi[doi]
        elif doi in remembered:
            preprint = remembered[doi]
            held = latest.get(preprint.id)
            if held is not None and _rank(_at(out, held).version) >= _rank(preprint.version):
                at = held
            else:
                at = -1  # placed below, once it is known to link
        else:
            continue
        if doi == journal_doi and doi == own_doi(preprint):
            continue  # the "journal" entry is the preprint itself, listed by a journal feed
        if at < 0:
            at = place(preprint, preprint)
        return at, doi
    return None


class PreprintLinker:
    """:func:`plan_links` with the remembered preprints looked up in the store."""

    def __init__(self, links: AsyncStore[PreprintLinkStore]) -> None:
        self._links = links

    async def plan(
        self,
        papers: Sequence[Paper],
        fresh: Collection[Key],
        relations: Mapping[str, WorkRelations] = NO_RELATIONS,
    ) -> LinkPlan:
        wanted = dois_to_look_up(papers, fresh, relations)
        remembered = await self._links.run(lambda s: s.preprints_for_dois(wanted)) if wanted else {}
        return plan_links(papers, fresh, remembered, relations)

    async def remember(self, published: Sequence[Paper]) -> None:
        """Remember the preprints among papers the broker acknowledged."""
        preprints = [paper for paper in published if is_preprint(paper)]
        if preprints:
            await self._links.run(lambda s: s.remember_preprints(preprints))
