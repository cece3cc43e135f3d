"""Linking journal papers to the preprints they publish: the pure plan and its store lookups."""

from __future__ import annotations

import datetime as dt

from academichub.contracts import Paper
from academichub.ingestor.formats.crossref_json import WorkRelations
from academichub.ingestor.linking import (
    Link,
    PreprintLinker,
    candidate_dois,
    journal_reference_text,
    merge_journal,
    plan_links,
)
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from academichub.store.publication import preprint_dois

JOURNAL_DOI = "10.1103/physrevb.111.144313"


def arxiv(
    n: int = 1, version: int = 2, doi: str | None = None, journal_ref: str | None = None
) -> Paper:
    return Paper(
        id=f"arxiv:2403.{13790 + n - 1:05d}",
        version=version,
        source="arxiv",
        announce_type="replace",
        title=f"Preprint {n}",
        abstract="Spin chains.",
        authors=("Ada Lovelace",),
        published=dt.date(2025, 4, 28),
        doi=doi,
        journal_ref=journal_ref,
    )


def biorxiv(version: int = 1, journal_ref: str | None = None) -> Paper:
    return Paper(
        id="doi:10.64898/2026.07.13.738145",
        version=version,
        source="biorxiv",
        title="Alpha oscillations",
        abstract="Brains.",
        published=dt.date(2026, 7, 15),
        doi="10.64898/2026.07.13.738145",
        journal_ref=journal_ref,
    )


def journal(
    doi: str = JOURNAL_DOI, journal_ref: str | None = "Phys. Rev. B 111, 144313 (2025)"
) -> Paper:
    return Paper(
        id=f"doi:{doi}",
        version=None,
        source="journal:physical-review-b",
        title="Preprint 1, the journal version",
        abstract="",
        published=dt.date(2025, 4, 20),
        doi=doi,
        journal_ref=journal_ref,
    )


def remembered(*papers: Paper) -> dict[str, Paper]:
    return {doi: paper for paper in papers for doi in preprint_dois(paper)}


def keys(*papers: Paper) -> set[tuple[str, int | None]]:
    return {paper.key for paper in papers}


# --- the DOIs a preprint is known by --------------------------------------------------------------


def test_preprint_dois_name_own_and_journal_dois() -> None:
    assert preprint_dois(arxiv(doi=JOURNAL_DOI)) == ("10.48550/arxiv.2403.13790", JOURNAL_DOI)
    assert preprint_dois(arxiv()) == ("10.48550/arxiv.2403.13790",)
    assert preprint_dois(biorxiv(journal_ref="doi:10.1371/journal.pone.0033693")) == (
        "10.64898/2026.07.13.738145",
        "10.1371/journal.pone.0033693",
    )
    # After linking, the journal's full reference still names its DOI.
    linked = biorxiv(journal_ref="PLoS ONE 7(3), e33693 (2012), doi:10.1371/journal.pone.0033693")
    assert preprint_dois(linked)[1] == "10.1371/journal.pone.0033693"
    assert preprint_dois(journal()) == ()  # a journal paper is no preprint


def test_journal_reference_text_always_names_the_doi() -> None:
    assert journal_reference_text(journal()) == (
        "Phys. Rev. B 111, 144313 (2025), doi:10.1103/physrevb.111.144313"
    )
    assert journal_reference_text(journal(journal_ref=None)) == f"doi:{JOURNAL_DOI}"
    with_doi = journal(journal_ref=f"Phys. Rev. B 111 (2025), doi:{JOURNAL_DOI}")
    assert journal_reference_text(with_doi) == with_doi.journal_ref


def test_merge_sets_arxiv_doi_but_keeps_a_biorxiv_papers_own() -> None:
    merged = merge_journal(arxiv(), journal())
    assert merged.doi == JOURNAL_DOI
    assert merged.journal_ref == f"Phys. Rev. B 111, 144313 (2025), doi:{JOURNAL_DOI}"
    assert merged.key == arxiv().key
    assert (merged.title, merged.abstract, merged.authors) == (
        "Preprint 1",
        "Spin chains.",
        ("Ada Lovelace",),
    )
    bio = merge_journal(biorxiv(), journal(doi="10.1371/journal.pone.0033693"))
    assert bio.doi == "10.64898/2026.07.13.738145"
    assert bio.journal_ref == "Phys. Rev. B 111, 144313 (2025), doi:10.1371/journal.pone.0033693"


def test_candidate_dois_are_the_journal_doi_then_its_preprints() -> None:
    relations = {JOURNAL_DOI: WorkRelations(has_preprint=("10.48550/arxiv.2403.13790",))}
    assert candidate_dois(journal(), relations) == (JOURNAL_DOI, "10.48550/arxiv.2403.13790")
    assert candidate_dois(journal(), {}) == (JOURNAL_DOI,)


# --- the plan -----------------------------------------------------------------------------------


def test_journal_paper_with_a_reported_doi_is_recorded_on_the_preprint() -> None:
    preprint = arxiv(doi=JOURNAL_DOI, journal_ref="Phys. Rev. B 111, 144313 (2025)")
    plan = plan_links([journal()], keys(journal()), remembered(preprint))
    (sent,) = plan.papers
    assert sent.key == preprint.key  # the same paper, same version: no second paper
    assert sent.journal_ref == f"Phys. Rev. B 111, 144313 (2025), doi:{JOURNAL_DOI}"
    assert plan.linked == (Link(journal().key, preprint.id, JOURNAL_DOI),)
    assert plan.linked_keys == (journal().key,)
    assert plan.republished == (preprint.key,)


def test_journal_paper_naming_its_preprint_in_has_preprint_is_linked() -> None:
    work = journal(doi="10.1371/journal.pone.0033693", journal_ref="PLoS ONE 7(3), e33693 (2012)")
    relations = {
        "10.1371/journal.pone.0033693": WorkRelations(has_preprint=("10.64898/2026.07.13.738145",))
    }
    plan = plan_links([work], keys(work), remembered(biorxiv()), relations)
    (sent,) = plan.papers
    assert sent.key == biorxiv().key
    assert sent.journal_ref == "PLoS ONE 7(3), e33693 (2012), doi:10.1371/journal.pone.0033693"
    assert [link.doi for link in plan.linked] == ["10.64898/2026.07.13.738145"]


def test_unrelated_journal_papers_and_preprints_pass_through_in_order() -> None:
    other = journal(doi="10.1126/science.abj4606", journal_ref=None)
    papers = [arxiv(1), other, arxiv(2)]
    plan = plan_links(papers, keys(*papers), {})
    assert plan.papers == tuple(papers)
    assert plan.linked == ()
    assert plan.republished == ()


def test_a_journal_paper_already_published_is_not_linked_again() -> None:
    preprint = arxiv(doi=JOURNAL_DOI)
    plan = plan_links([journal()], set(), remembered(preprint))
    assert plan.papers == ()
    assert plan.linked == ()


def test_replayed_journal_entry_does_not_resend_an_unchanged_preprint() -> None:
    # The preprint already carries exactly this publication (remembered after a crash that
    # came before the journal key was marked): the journal entry is linked, nothing is sent.
    merged = merge_journal(arxiv(doi=JOURNAL_DOI), journal())
    plan = plan_links([journal()], keys(journal()), remembered(merged))
    assert plan.papers == ()
    assert plan.linked_keys == (journal().key,)


def test_preprint_and_its_journal_version_in_one_batch_become_one_paper() -> None:
    preprint = biorxiv(journal_ref=f"doi:{JOURNAL_DOI}")
    papers = [preprint, journal()]
    plan = plan_links(papers, keys(*papers), {})
    (sent,) = plan.papers
    assert sent.key == preprint.key
    assert sent.journal_ref == f"Phys. Rev. B 111, 144313 (2025), doi:{JOURNAL_DOI}"
    assert plan.republished == ()  # the preprint's key is fresh: published for the first time


def test_a_journal_entry_that_is_the_preprint_itself_is_not_linked() -> None:
    # A journal feed listing the bioRxiv DOI itself: same paper id, nothing to merge.
    listed = journal(doi="10.64898/2026.07.13.738145", journal_ref=None)
    plan = plan_links([listed], keys(listed), remembered(biorxiv()))
    assert plan.papers == (listed,)
    assert plan.linked == ()


def test_new_version_keeps_the_publication_an_earlier_version_reported() -> None:
    v2 = arxiv(version=2, doi=JOURNAL_DOI, journal_ref="Phys. Rev. B 111, 144313 (2025)")
    v3 = arxiv(version=3)
    plan = plan_links([v3], keys(v3), remembered(v2))
    (sent,) = plan.papers
    assert (sent.version, sent.doi, sent.journal_ref) == (3, JOURNAL_DOI, v2.journal_ref)


def test_relisted_version_that_now_reports_its_journal_is_sent_again() -> None:
    before = arxiv(version=2)
    now = arxiv(version=2, doi=JOURNAL_DOI, journal_ref="Phys. Rev. B 111, 144313 (2025)")
    plan = plan_links([now], set(), remembered(before))
    (sent,) = plan.papers
    assert (sent.key, sent.doi) == (before.key, JOURNAL_DOI)
    assert plan.republished == (before.key,)
    # Listed again once more: nothing new, nothing sent.
    assert plan_links([now], set(), remembered(sent)).papers == ()


def test_is_preprint_of_reports_a_crossref_preprints_journal() -> None:
    relations = {
        "10.64898/2026.07.13.738145": WorkRelations(
            is_preprint_of=("10.1371/journal.pone.0033693",)
        )
    }
    plan = plan_links([biorxiv()], keys(biorxiv()), {}, relations)
    (sent,) = plan.papers
    assert sent.journal_ref == "doi:10.1371/journal.pone.0033693"


# --- with a store -------------------------------------------------------------------------------


async def test_linker_remembers_preprints_and_finds_them_by_journal_doi() -> None:
    store = InMemoryStore()
    linker = PreprintLinker(AsyncStore.inline(store.ingest))
    preprint = arxiv(doi=JOURNAL_DOI)
    await linker.remember([preprint, journal(doi="10.1126/science.abj4606")])
    assert set(store.ingest.preprints) == {preprint.id}  # journal papers are not remembered
    plan = await linker.plan([journal()], keys(journal()))
    assert [paper.key for paper in plan.papers] == [preprint.key]
    assert plan.linked_keys == (journal().key,)
