"""PreprintLinkStore: one contract, the in-memory fake and the embedded store alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from academichub.contracts import Paper
from academichub.store.embedded import EmbeddedStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import Store

JOURNAL_DOI = "10.1103/physrevb.111.144313"
ARXIV_DOI = "10.48550/arxiv.2403.13790"
BIORXIV_DOI = "10.64898/2026.07.13.738145"


def arxiv(version: int = 1, doi: str | None = None) -> Paper:
    return Paper(
        id="arxiv:2403.13790",
        version=version,
        source="arxiv",
        title=f"Spin chains v{version}",
        abstract="",
        published=dt.date(2025, 4, 28),
        doi=doi,
    )


def biorxiv(journal_ref: str | None = None) -> Paper:
    return Paper(
        id=f"doi:{BIORXIV_DOI}",
        version=1,
        source="biorxiv",
        title="Alpha oscillations",
        abstract="",
        published=dt.date(2026, 7, 15),
        doi=BIORXIV_DOI,
        journal_ref=journal_ref,
    )


@pytest.fixture(params=["memory", "embedded"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    embedded = EmbeddedStore(tmp_path / "data", index_writer=False)
    yield embedded
    embedded.close()


def test_preprints_are_found_by_own_and_journal_dois(store: Store) -> None:
    store.ingest.remember_preprints([arxiv(doi=JOURNAL_DOI), biorxiv(journal_ref="doi:10.1000/J")])
    found = store.ingest.preprints_for_dois(
        [JOURNAL_DOI, ARXIV_DOI, BIORXIV_DOI, "10.1000/j", "10.9/x"]
    )
    assert found == {
        JOURNAL_DOI: arxiv(doi=JOURNAL_DOI),
        ARXIV_DOI: arxiv(doi=JOURNAL_DOI),
        BIORXIV_DOI: biorxiv(journal_ref="doi:10.1000/J"),
        "10.1000/j": biorxiv(journal_ref="doi:10.1000/J"),
    }
    assert store.ingest.preprints_for_dois(["10.48550/arXiv.2403.13790"]) == {
        ARXIV_DOI: arxiv(doi=JOURNAL_DOI)
    }
    assert store.ingest.preprints_for_dois([]) == {}


def test_the_newest_version_is_kept_and_every_doi_points_at_it(store: Store) -> None:
    store.ingest.remember_preprints([arxiv(1)])
    store.ingest.remember_preprints([arxiv(2, doi=JOURNAL_DOI)])
    store.ingest.remember_preprints([arxiv(1)])  # a backfill of an older version
    assert store.ingest.preprints_for_dois([ARXIV_DOI, JOURNAL_DOI]) == {
        ARXIV_DOI: arxiv(2, doi=JOURNAL_DOI),
        JOURNAL_DOI: arxiv(2, doi=JOURNAL_DOI),
    }
    # The same version again replaces it: it may carry a publication merged since.
    merged = arxiv(2, doi=JOURNAL_DOI).model_copy(update={"journal_ref": "Phys. Rev. B 111"})
    store.ingest.remember_preprints([merged])
    assert store.ingest.preprints_for_dois([ARXIV_DOI]) == {ARXIV_DOI: merged}


def test_journal_papers_are_not_remembered(store: Store) -> None:
    journal = Paper(
        id=f"doi:{JOURNAL_DOI}",
        version=None,
        source="journal:physical-review-b",
        title="Spin chains",
        abstract="",
        published=dt.date(2025, 4, 20),
        doi=JOURNAL_DOI,
    )
    store.ingest.remember_preprints([journal])
    assert store.ingest.preprints_for_dois([JOURNAL_DOI]) == {}


def test_embedded_links_survive_a_restart(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path, index_writer=False)
    first.ingest.remember_preprints([arxiv(doi=JOURNAL_DOI)])
    first.close()
    again = EmbeddedStore(tmp_path, index_writer=False)
    try:
        assert again.ingest.preprints_for_dois([JOURNAL_DOI]) == {
            JOURNAL_DOI: arxiv(doi=JOURNAL_DOI)
        }
    finally:
        again.close()


def test_many_dois_are_looked_up_in_chunks(store: Store) -> None:
    store.ingest.remember_preprints([arxiv(doi=JOURNAL_DOI)])
    wanted = [f"10.1000/{n}" for n in range(1200)] + [JOURNAL_DOI]
    assert list(store.ingest.preprints_for_dois(wanted)) == [JOURNAL_DOI]
