"""The papers part: idempotent writes, versions, reading, and search (the same text
finds the same papers in every adapter)."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.contracts import Paper
from academichub.radar.parser import parse_query
from academichub.store.port import NO_FILTERS, PaperWrite, SearchFilters, SearchPage, Store
from tests.integration.store.factories import CORPUS, P1, P2, P3, P4, P5, match, paper

pytestmark = pytest.mark.integration


def ids(page: SearchPage) -> list[str]:
    return [hit.paper.id for hit in page.hits]


def found(store: Store, query: str, filters: SearchFilters = NO_FILTERS) -> set[str]:
    page = store.papers.search(parse_query(query), filters, limit=100)
    assert page.total == len(page.hits)
    return set(ids(page))


# --- papers: idempotent writes ------------------------------------------------------


def test_replaying_papers_changes_nothing(store: Store) -> None:
    batch = [paper(1, "Quantum codes"), paper(2, "Protein folding")]
    assert store.papers.upsert_papers(batch) == [PaperWrite.NEW, PaperWrite.NEW]
    assert store.papers.upsert_papers(batch) == [PaperWrite.UNCHANGED, PaperWrite.UNCHANGED]
    assert store.papers.count_papers() == 2
    page = store.papers.search(parse_query("quantum"))
    assert (page.total, ids(page)) == (1, ["arxiv:2606.00001"])
    assert store.papers.search(None).total == 2


def test_a_new_version_replaces_the_old_one_everywhere(store: Store) -> None:
    store.papers.upsert_papers([paper(1, "Quantum codes", version=1)])
    v2 = paper(1, "Topological codes", version=2, published=dt.date(2026, 6, 11))
    assert store.papers.upsert_papers([v2]) == [PaperWrite.NEW_VERSION]
    assert store.papers.get_paper(v2.id) == v2
    assert store.papers.paper_versions(v2.id) == [1, 2]
    assert found(store, "topological") == {v2.id}
    assert found(store, "quantum") == set()  # v1's words are gone from the index
    page = store.papers.search(parse_query("codes"))
    assert page.total == 1
    assert page.hits[0].paper.version == 2


def test_an_older_version_after_a_newer_one_is_stale(store: Store) -> None:
    v2 = paper(1, "Topological codes", version=2)
    store.papers.upsert_papers([v2])
    assert store.papers.upsert_papers([paper(1, "Quantum codes", version=1)]) == [PaperWrite.STALE]
    assert store.papers.get_paper(v2.id) == v2
    assert store.papers.paper_versions(v2.id) == [1, 2]
    assert found(store, "quantum") == set()
    assert store.papers.upsert_papers([paper(1, "Quantum codes", version=1)]) == [
        PaperWrite.UNCHANGED
    ]


def test_versions_within_one_batch_and_papers_without_versions(store: Store) -> None:
    outcomes = store.papers.upsert_papers(
        [
            paper(1, "First words", version=1),
            paper(1, "Second words", version=2),
            paper(2, "Journal article", version=None, source="journal:nature"),
        ]
    )
    assert outcomes == [PaperWrite.NEW, PaperWrite.NEW_VERSION, PaperWrite.NEW]
    assert found(store, "words") == {"arxiv:2606.00001"}
    assert found(store, "second") == {"arxiv:2606.00001"}
    assert found(store, "first") == set()
    assert store.papers.paper_versions("arxiv:2606.00002") == [None]
    assert store.papers.upsert_papers([paper(2, "Journal", version=None)]) == [PaperWrite.UNCHANGED]
    assert store.papers.upsert_papers([]) == []


def test_reading_papers(store: Store) -> None:
    a = paper(1, "A", published=dt.date(2026, 6, 10))
    b = paper(2, "B", published=dt.date(2026, 6, 11))
    c = paper(3, "C", published=dt.date(2026, 6, 10))
    store.papers.upsert_papers([a, b, c])
    assert store.papers.get_paper("arxiv:2606.09999") is None
    assert store.papers.get_papers([c.id, "arxiv:2606.09999", a.id]) == {c.id: c, a.id: a}
    assert store.papers.paper_versions("arxiv:2606.09999") == []
    # Newest announcement first; the same day in reverse arrival order.
    assert [p.id for p in store.papers.latest_papers(10)] == [b.id, c.id, a.id]
    assert [p.id for p in store.papers.latest_papers(1, offset=1)] == [c.id]
    assert store.papers.latest_papers(10, offset=5) == []
    # A new version keeps its arrival slot but moves with its new date.
    a2 = paper(1, "A again", version=2, published=dt.date(2026, 6, 12))
    store.papers.upsert_papers([a2])
    assert [p.id for p in store.papers.latest_papers(10)] == [a.id, b.id, c.id]
    assert store.papers.latest_papers(1)[0] == a2
    assert store.papers.count_papers() == 3


# --- search -------------------------------------------------------------------------


@pytest.fixture
def corpus(store: Store) -> Store:
    store.papers.upsert_papers(CORPUS)
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quantum", {P1, P2, P5}),
        ("rotation", {P1}),  # stemmed: finds "rotations"
        ("QUANTUM Codes", {P1}),
        ('"surface code"', {P1, P3}),
        ('"code surface"', {P3}),
        ('"codes surface"', {P3}),  # stems: "codes" is "code"
        ('"error surface"', set()),
        ("decod*", {P3}),
        ("quant*", {P1, P2, P5}),
        ("title:quantum", {P1, P5}),
        ("abstract:quantum", {P2}),
        ("title:neural", set()),
        ("author:lecun", {P1}),
        ('author:"Yann LeCun"', {P1}),
        ("author:yann", {P1}),  # any word of a name
        ('author:"LeCun Y"', {P1}),  # either order, initials
        ("author:remy", {P3}),  # accents folded
        ("author:smith", {P1, P4}),
        ('author:"Smith Bob"', set()),  # a phrase never spans two authors
        ("cat:quant-ph", {P1, P3}),
        ("cat:CS.LG", {P2}),
        ("cat:cs.*", {P1, P2}),
        ("cat:q-bio.*", {P2}),
        ("source:medrxiv", {P4}),
        ("source:journal:*", {P5}),
        ("type:cross", {P2}),
        ("NOT type:replace", {P1, P2, P4, P5}),
        ("quantum -deep", {P1, P5}),
        ("quantum AND NOT title:quantum", {P2}),
        ("-quantum", {P3, P4}),
        ("NOT quantum NOT vaccine", {P3}),
        ("deep OR -quantum", {P2, P3, P4}),
        ("(surface OR vaccine) cat:quant-ph", {P1, P3}),
        ("surface OR vaccine cat:quant-ph", {P1, P3}),
        ("nothingmatchesthis", set()),
    ],
)
def test_search_finds_what_the_query_says(corpus: Store, query: str, expected: set[str]) -> None:
    assert found(corpus, query) == expected


def test_search_filters(corpus: Store) -> None:
    quantum = "quantum"
    assert found(corpus, quantum, filters=SearchFilters(sources=("journal:*",))) == {P5}
    assert found(corpus, quantum, filters=SearchFilters(sources=("arxiv", "medrxiv"))) == {P1, P2}
    assert found(corpus, quantum, filters=SearchFilters(categories=("cs.LG", "cs.IT"))) == {P1, P2}
    assert found(corpus, quantum, filters=SearchFilters(categories=("cs.lg",))) == set()
    window = SearchFilters(published_from=dt.date(2026, 6, 9), published_to=dt.date(2026, 6, 10))
    assert found(corpus, "surface OR vaccine", filters=window) == {P1, P3}
    assert found(corpus, quantum, filters=SearchFilters(published_from=dt.date(2026, 6, 11))) == {
        P2
    }
    everything = corpus.papers.search(
        None, SearchFilters(published_to=dt.date(2026, 6, 9)), limit=10
    )
    assert set(ids(everything)) == {P3, P5}


def test_no_query_lists_every_paper_newest_first(corpus: Store) -> None:
    page = corpus.papers.search(None, limit=10)
    assert page.total == 5
    assert ids(page) == [P4, P2, P1, P3, P5]  # P4 and P2 share a date: later arrival first
    assert ids(corpus.papers.search(None, sort="date", limit=2, offset=1)) == [P2, P1]


def test_sort_by_date_and_by_relevance(corpus: Store) -> None:
    by_date = corpus.papers.search(parse_query("quantum"), sort="date")
    assert ids(by_date) == [P2, P1, P5]
    by_relevance = corpus.papers.search(parse_query("quantum"), sort="relevance")
    assert set(ids(by_relevance)) == {P1, P2, P5}
    assert ids(by_relevance)[-1] == P2  # a title hit outranks an abstract-only hit
    scores = [hit.score for hit in by_relevance.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


def test_equal_scores_rank_newest_first(store: Store) -> None:
    twins = [
        paper(n, "Identical twin title", published=dt.date(2026, 6, day))
        for n, day in ((1, 10), (2, 12), (3, 11), (4, 12))
    ]
    store.papers.upsert_papers(twins)
    page = store.papers.search(parse_query("twin"), limit=3)
    assert page.total == 4
    assert ids(page) == ["arxiv:2606.00004", "arxiv:2606.00002", "arxiv:2606.00003"]
    assert ids(store.papers.search(parse_query("twin"), limit=2, offset=2)) == [
        "arxiv:2606.00003",
        "arxiv:2606.00001",
    ]


def test_paging_keeps_the_exact_total(corpus: Store) -> None:
    everything = ids(corpus.papers.search(parse_query("quantum OR vaccine OR surface"), limit=100))
    assert len(everything) == 5
    pages = [
        corpus.papers.search(parse_query("quantum OR vaccine OR surface"), limit=2, offset=offset)
        for offset in (0, 2, 4, 6)
    ]
    assert [p.total for p in pages] == [5, 5, 5, 5]
    assert [pid for p in pages for pid in ids(p)] == everything
    assert pages[-1].hits == ()
    assert corpus.papers.search(parse_query("quantum"), limit=0).total == 3


def _decoded(stored: Paper) -> Paper:
    """A stand-in for the ingestor's re-normalisation: one TeX accent decoded."""
    return stored.model_copy(update={"title": stored.title.replace('\\"o', "ö")})


def test_rewriting_papers_in_place_and_searching_them_again(store: Store) -> None:
    v1 = paper(1, r"The Schr\"odinger cat", version=1)
    v2 = paper(1, r"Schr\"odinger operators", version=2, published=dt.date(2026, 6, 11))
    plain = paper(2, "Quantum codes")
    store.papers.upsert_papers([v1, v2, plain])
    store.matches.record_matches([match(v2.id, version=2), match(plain.id)])
    assert found(store, "schrodinger") == set()
    # Both versions of paper 1 in its history, and its current version: three documents.
    assert store.papers.rewrite_papers(_decoded) == 3
    assert store.papers.get_paper(v2.id) == _decoded(v2)
    assert store.papers.get_paper(plain.id) == plain
    assert found(store, "schrodinger") == found(store, "Schrödinger") == {v2.id}
    assert found(store, "quantum") == {plain.id}
    # Identity, versions and matches are as they were; a second run changes nothing.
    assert store.papers.paper_versions(v2.id) == [1, 2]
    assert store.papers.count_papers() == 2
    assert [m.paper_id for m in store.matches.matches_for_radar("r1")] == sorted([v2.id, plain.id])
    assert store.papers.rewrite_papers(_decoded) == 0
    assert store.papers.upsert_papers([v1]) == [PaperWrite.UNCHANGED]


def test_a_rewrite_may_not_change_a_papers_identity(store: Store) -> None:
    store.papers.upsert_papers([paper(1, "Quantum codes")])
    with pytest.raises(ValueError, match="must keep a paper's id and version"):
        store.papers.rewrite_papers(lambda p: p.model_copy(update={"version": 7}))
    assert store.papers.paper_versions("arxiv:2606.00001") == [1]
