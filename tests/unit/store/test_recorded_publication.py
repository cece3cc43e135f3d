"""PaperWrite.PUBLISHED: a stored (id, version) arriving with its journal publication is
recorded on the stored paper, in the in-memory fake and the embedded store alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from academichub.contracts import Paper
from academichub.store.embedded import EmbeddedStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import PaperStore, PaperWrite

JOURNAL_DOI = "10.1103/physrevb.111.144313"
JOURNAL_REF = f"Phys. Rev. B 111, 144313 (2025), doi:{JOURNAL_DOI}"


def paper(version: int = 1, *, doi: str | None = None, journal_ref: str | None = None) -> Paper:
    return Paper(
        id="arxiv:2403.13790",
        version=version,
        source="arxiv",
        announce_type="new",
        title=f"Spin chains v{version}",
        abstract="Quantum spin chains.",
        published=dt.date(2025, 4, 28),
        doi=doi,
        journal_ref=journal_ref,
    )


@pytest.fixture(params=["memory", "embedded"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PaperStore]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    embedded = EmbeddedStore(tmp_path / "data", index_writer=True)
    yield embedded
    embedded.close()


def test_publication_of_the_current_version_is_recorded(store: PaperStore) -> None:
    assert store.papers.upsert_papers([paper()]) == [PaperWrite.NEW]
    published = paper(doi=JOURNAL_DOI, journal_ref=JOURNAL_REF)
    assert store.papers.upsert_papers([published]) == [PaperWrite.PUBLISHED]
    assert store.papers.get_paper(published.id) == published
    assert store.papers.paper_versions(published.id) == [1]
    assert store.papers.count_papers() == 1
    # The same event again is a replay.
    assert store.papers.upsert_papers([published]) == [PaperWrite.UNCHANGED]


def test_only_the_publication_fields_are_merged(store: PaperStore) -> None:
    store.papers.upsert_papers([paper()])
    other_title = paper(doi=JOURNAL_DOI).model_copy(update={"title": "Edited elsewhere"})
    assert store.papers.upsert_papers([other_title]) == [PaperWrite.PUBLISHED]
    assert store.papers.get_paper(paper().id) == paper(doi=JOURNAL_DOI)


def test_a_replayed_older_event_does_not_undo_the_journal_reference(store: PaperStore) -> None:
    # bioRxiv-style "doi:<journal doi>" first, the journal's full reference later; replaying
    # the first event must not shorten the reference again.
    first = paper(journal_ref=f"doi:{JOURNAL_DOI}")
    full = paper(journal_ref=JOURNAL_REF)
    assert store.papers.upsert_papers([first, full]) == [PaperWrite.NEW, PaperWrite.PUBLISHED]
    assert store.papers.upsert_papers([first]) == [PaperWrite.UNCHANGED]
    assert store.papers.upsert_papers([paper()]) == [PaperWrite.UNCHANGED]  # nothing to add
    stored = store.papers.get_paper(first.id)
    assert stored is not None
    assert stored.journal_ref == JOURNAL_REF


def test_publication_of_an_older_version_stays_in_its_history(store: PaperStore) -> None:
    store.papers.upsert_papers([paper(1), paper(2)])
    assert store.papers.upsert_papers([paper(1, doi=JOURNAL_DOI)]) == [PaperWrite.PUBLISHED]
    assert store.papers.get_paper(paper().id) == paper(2)  # the current version is untouched


def test_published_paper_is_reindexed_by_the_index_writer(tmp_path: Path) -> None:
    writer = EmbeddedStore(tmp_path, index_writer=True)
    scaled_out = EmbeddedStore(tmp_path, index_writer=False)
    try:
        scaled_out.papers.upsert_papers([paper()])
        assert writer.papers.drain_index_queue() == 1
        assert scaled_out.papers.upsert_papers([paper(doi=JOURNAL_DOI)]) == [PaperWrite.PUBLISHED]
        assert writer.papers.drain_index_queue() == 1  # queued again, as a new version would be
        (hit,) = writer.papers.search(None).hits
        assert hit.paper.doi == JOURNAL_DOI
    finally:
        scaled_out.close()
        writer.close()
