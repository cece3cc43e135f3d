"""A preprint's journal publication, as every store adapter must read it.

Two rules live here so that every adapter (and the ingestor, which fills the stores) applies
them alike:

* :func:`preprint_dois` -- the DOIs a preprint is known by: its own (bioRxiv/medRxiv: its
  DOI; arXiv: ``10.48550/arxiv.<id>``, the DOI arXiv registers for every paper) and those of
  its journal version (arXiv's ``doi`` field; a DOI inside ``journal_ref``, as bioRxiv's
  ``doi:<journal doi>``). ``PreprintLinkStore.remember_preprints`` keys preprints by them.
* :func:`recorded_publication` -- what ``upsert_papers`` does when a stored (id, version)
  arrives again carrying a journal publication: the publication fields are merged into the
  stored document (``PaperWrite.PUBLISHED``); nothing else of the stored document changes.
"""

from __future__ import annotations

import re
from typing import Final

from academichub.contracts import Paper

PREPRINT_SOURCES: Final = frozenset({"arxiv", "biorxiv", "medrxiv"})
ARXIV_DOI_PREFIX: Final = "10.48550/arxiv."
_DOI_RE: Final = re.compile(r"10\.\d{4,9}/\S+")


def is_preprint(paper: Paper) -> bool:
    return paper.source in PREPRINT_SOURCES


def own_doi(paper: Paper) -> str | None:
    """The DOI the paper itself is registered under, lower-cased (None if it has none)."""
    if paper.id.startswith("arxiv:"):
        return ARXIV_DOI_PREFIX + paper.id.removeprefix("arxiv:").lower()
    if paper.id.startswith("doi:"):
        return paper.id.removeprefix("doi:")
    return None


def dois_in(text: str | None) -> tuple[str, ...]:
    """Every DOI written in ``text``, lower-cased, without trailing punctuation."""
    if not text:
        return ()
    found = (match.group(0).rstrip(".,;)]").lower() for match in _DOI_RE.finditer(text))
    return tuple(dict.fromkeys(found))


def publication_dois(paper: Paper) -> tuple[str, ...]:
    """The DOIs of the preprint's journal version: ``doi`` (unless it is the preprint's own)
    and any DOI in ``journal_ref``."""
    own = own_doi(paper)
    dois = (*dois_in(paper.doi), *dois_in(paper.journal_ref))
    return tuple(doi for doi in dict.fromkeys(dois) if doi != own)


def preprint_dois(paper: Paper) -> tuple[str, ...]:
    """Every DOI a preprint is known by, own DOI first; () for a paper that is no preprint."""
    if not is_preprint(paper):
        return ()
    own = own_doi(paper)
    return tuple(dict.fromkeys((*((own,) if own else ()), *publication_dois(paper))))


def recorded_publication(stored: Paper, incoming: Paper) -> Paper | None:
    """``stored`` with the journal publication ``incoming`` adds, or None if it adds none.

    A field (``doi``, ``journal_ref``) is taken from ``incoming`` when it is non-empty and says
    more than the stored one: different, and not already written inside it (so the journal's
    full reference ``PLoS ONE 7(3), e33693 (2012), doi:10.1371/x`` is never replaced by the
    ``doi:10.1371/x`` it grew from when an older event is replayed).
    """
    update: dict[str, str] = {}
    for name in ("doi", "journal_ref"):
        new: str | None = getattr(incoming, name)
        old: str | None = getattr(stored, name)
        if new and new != old and not (old and new.lower() in old.lower()):
            update[name] = new
    return stored.model_copy(update=update) if update else None
