"""The store contract: every adapter behaves like the in-memory fake.

One suite, run against :class:`InMemoryStore` (the reference semantics),
:class:`EmbeddedStore` (SQLite + tantivy on a temporary folder) and, when
``ACADEMICHUB_TEST_ELASTICSEARCH_URL`` points at a cluster, :class:`ElasticsearchStore`
(fresh indices under a unique prefix per test, deleted afterwards). Every idempotency rule
of :mod:`academichub.store.port` is exercised, because every topic may be replayed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from academichub.radar.parser import parse_query
from academichub.store.elastic import ElasticsearchStore
from academichub.store.embedded import EmbeddedStore
from academichub.store.factory import OpenedStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import NO_FILTERS, PaperWrite, SearchFilters, SearchPage, Store
from tests.integration.store.factories import T0, briefing, match, paper, radar
from tests.support.live_elasticsearch import live_cluster

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "embedded", "elasticsearch"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store
    if request.param == "memory":
        opened = InMemoryStore()
    elif request.param == "embedded":
        opened = EmbeddedStore(tmp_path / "data", index_writer=True)
    else:
        yield from _elasticsearch_store()
        return
    yield opened
    opened.close()


def _elasticsearch_store() -> Iterator[Store]:
    with live_cluster() as (client, prefix):
        # refresh=True: every write is searchable at once, as in the other adapters.
        opened = ElasticsearchStore(client, prefix=prefix, refresh=True)
        yield opened
        opened.close()


def ids(page: SearchPage) -> list[str]:
    return [hit.paper.id for hit in page.hits]


def found(store: Store, query: str, filters: SearchFilters = NO_FILTERS) -> set[str]:
    page = store.search(parse_query(query), filters, limit=100)
    assert page.total == len(page.hits)
    return set(ids(page))


# --- papers: idempotent writes ------------------------------------------------------


def test_replaying_papers_changes_nothing(store: Store) -> None:
    batch = [paper(1, "Quantum codes"), paper(2, "Protein folding")]
    assert store.upsert_papers(batch) == [PaperWrite.NEW, PaperWrite.NEW]
    assert store.upsert_papers(batch) == [PaperWrite.UNCHANGED, PaperWrite.UNCHANGED]
    assert store.count_papers() == 2
    page = store.search(parse_query("quantum"))
    assert (page.total, ids(page)) == (1, ["arxiv:2606.00001"])
    assert store.search(None).total == 2


def test_a_new_version_replaces_the_old_one_everywhere(store: Store) -> None:
    store.upsert_papers([paper(1, "Quantum codes", version=1)])
    v2 = paper(1, "Topological codes", version=2, published=dt.date(2026, 6, 11))
    assert store.upsert_papers([v2]) == [PaperWrite.NEW_VERSION]
    assert store.get_paper(v2.id) == v2
    assert store.paper_versions(v2.id) == [1, 2]
    assert found(store, "topological") == {v2.id}
    assert found(store, "quantum") == set()  # v1's words are gone from the index
    page = store.search(parse_query("codes"))
    assert page.total == 1
    assert page.hits[0].paper.version == 2


def test_an_older_version_after_a_newer_one_is_stale(store: Store) -> None:
    v2 = paper(1, "Topological codes", version=2)
    store.upsert_papers([v2])
    assert store.upsert_papers([paper(1, "Quantum codes", version=1)]) == [PaperWrite.STALE]
    assert store.get_paper(v2.id) == v2
    assert store.paper_versions(v2.id) == [1, 2]
    assert found(store, "quantum") == set()
    assert store.upsert_papers([paper(1, "Quantum codes", version=1)]) == [PaperWrite.UNCHANGED]


def test_versions_within_one_batch_and_papers_without_versions(store: Store) -> None:
    outcomes = store.upsert_papers(
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
    assert store.paper_versions("arxiv:2606.00002") == [None]
    assert store.upsert_papers([paper(2, "Journal", version=None)]) == [PaperWrite.UNCHANGED]
    assert store.upsert_papers([]) == []


def test_reading_papers(store: Store) -> None:
    a = paper(1, "A", published=dt.date(2026, 6, 10))
    b = paper(2, "B", published=dt.date(2026, 6, 11))
    c = paper(3, "C", published=dt.date(2026, 6, 10))
    store.upsert_papers([a, b, c])
    assert store.get_paper("arxiv:2606.09999") is None
    assert store.get_papers([c.id, "arxiv:2606.09999", a.id]) == {c.id: c, a.id: a}
    assert store.paper_versions("arxiv:2606.09999") == []
    # Newest announcement first; the same day in reverse arrival order.
    assert [p.id for p in store.latest_papers(10)] == [b.id, c.id, a.id]
    assert [p.id for p in store.latest_papers(1, offset=1)] == [c.id]
    assert store.latest_papers(10, offset=5) == []
    # A new version keeps its arrival slot but moves with its new date.
    a2 = paper(1, "A again", version=2, published=dt.date(2026, 6, 12))
    store.upsert_papers([a2])
    assert [p.id for p in store.latest_papers(10)] == [a.id, b.id, c.id]
    assert store.latest_papers(1)[0] == a2
    assert store.count_papers() == 3


# --- search -------------------------------------------------------------------------

CORPUS = [
    paper(
        1,
        "Quantum error correction with surface codes",
        "We study rotations of logical qubits.",
        authors=("Yann LeCun", "Alice Smith", "Bob Jones"),
        categories=("quant-ph", "cs.IT"),
        published=dt.date(2026, 6, 10),
    ),
    paper(
        2,
        "Deep learning for protein folding",
        "Neural networks predict structures; quantum effects are ignored.",
        authors=("Bob Jones",),
        categories=("cs.LG", "q-bio.BM"),
        announce_type="cross",
        published=dt.date(2026, 6, 11),
    ),
    paper(
        3,
        "Decoders for the surface code",
        "A neural decoder. Code surface is not a phrase here.",
        authors=("Carla Rémy",),
        categories=("quant-ph",),
        announce_type="replace",
        published=dt.date(2026, 6, 9),
    ),
    paper(
        4,
        "Vaccine trial outcomes",
        "A randomised clinical trial.",
        version=None,
        source="medrxiv",
        announce_type=None,
        authors=("Dana Smith",),
        categories=("Infectious Diseases",),
        published=dt.date(2026, 6, 11),
    ),
    paper(
        5,
        "Quantum supremacy revisited",
        "Sampling experiments, again.",
        version=None,
        source="journal:nature",
        announce_type=None,
        authors=("Eve Adams",),
        categories=(),
        published=dt.date(2026, 6, 8),
    ),
]
P1, P2, P3, P4, P5 = (p.id for p in CORPUS)


@pytest.fixture
def corpus(store: Store) -> Store:
    store.upsert_papers(CORPUS)
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
        ("author:yann", set()),  # a single name is a surname
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
    everything = corpus.search(None, SearchFilters(published_to=dt.date(2026, 6, 9)), limit=10)
    assert set(ids(everything)) == {P3, P5}


def test_no_query_lists_every_paper_newest_first(corpus: Store) -> None:
    page = corpus.search(None, limit=10)
    assert page.total == 5
    assert ids(page) == [P4, P2, P1, P3, P5]  # P4 and P2 share a date: later arrival first
    assert ids(corpus.search(None, sort="date", limit=2, offset=1)) == [P2, P1]


def test_sort_by_date_and_by_relevance(corpus: Store) -> None:
    by_date = corpus.search(parse_query("quantum"), sort="date")
    assert ids(by_date) == [P2, P1, P5]
    by_relevance = corpus.search(parse_query("quantum"), sort="relevance")
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
    store.upsert_papers(twins)
    page = store.search(parse_query("twin"), limit=3)
    assert page.total == 4
    assert ids(page) == ["arxiv:2606.00004", "arxiv:2606.00002", "arxiv:2606.00003"]
    assert ids(store.search(parse_query("twin"), limit=2, offset=2)) == [
        "arxiv:2606.00003",
        "arxiv:2606.00001",
    ]


def test_paging_keeps_the_exact_total(corpus: Store) -> None:
    everything = ids(corpus.search(parse_query("quantum OR vaccine OR surface"), limit=100))
    assert len(everything) == 5
    pages = [
        corpus.search(parse_query("quantum OR vaccine OR surface"), limit=2, offset=offset)
        for offset in (0, 2, 4, 6)
    ]
    assert [p.total for p in pages] == [5, 5, 5, 5]
    assert [pid for p in pages for pid in ids(p)] == everything
    assert pages[-1].hits == ()
    assert corpus.search(parse_query("quantum"), limit=0).total == 3


# --- radars -------------------------------------------------------------------------


def test_radar_revisions(store: Store) -> None:
    assert store.put_radar(radar("r1", revision=1))
    assert not store.put_radar(radar("r1", revision=1, query="replayed"))
    assert store.put_radar(radar("r1", revision=3, query="newer"))
    assert not store.put_radar(radar("r1", revision=2, query="late"))
    stored = store.get_radar("r1")
    assert stored is not None
    assert (stored.revision, stored.query) == (3, "newer")
    assert store.get_radar("missing") is None


def test_a_deleted_radar_is_not_resurrected_by_a_replay(store: Store) -> None:
    store.put_radar(radar("r1", revision=2))
    assert store.delete_radar("r1")
    assert not store.delete_radar("r1")
    assert not store.delete_radar("never-existed")
    assert store.get_radar("r1") is None
    # Replaying the topic from the start: old upserts, and one as new as the delete.
    assert not store.put_radar(radar("r1", revision=1))
    assert not store.put_radar(radar("r1", revision=2))
    assert not store.put_radar(radar("r1", revision=3))
    assert store.list_radars() == []
    # A genuinely later revision (re-created after the delete) is stored.
    assert store.put_radar(radar("r1", revision=4))
    assert store.get_radar("r1") == radar("r1", revision=4)


def test_list_radars_oldest_first_by_owner(store: Store) -> None:
    late = radar("b", owner="alice", created_at=T0 + dt.timedelta(days=1))
    early = radar("z", owner="alice", created_at=T0)
    other = radar("a", owner="bob", created_at=T0)
    for r in (late, early, other):
        store.put_radar(r)
    assert store.list_radars() == [other, early, late]
    assert store.list_radars("alice") == [early, late]
    assert store.list_radars("carol") == []


# --- matches ------------------------------------------------------------------------


def test_matches_are_recorded_once_and_emitted_once(store: Store) -> None:
    m1, m2 = match(P1, score=0.5), match(P2, score=0.9)
    assert store.record_matches([m1, m2]) == [m1, m2]
    # Not emitted yet (a crash before producing): a replay hands them back, as first stored.
    replay = match(P1, score=0.1)
    assert store.record_matches([replay, m2]) == [m1, m2]
    store.mark_emitted([m1.key])
    assert store.record_matches([m1, m2]) == [m2]
    store.mark_emitted([m2.key])
    assert store.record_matches([m1, m2]) == []
    assert store.matches_for_radar("r1") == [m2, m1]


def test_versions_match_separately(store: Store) -> None:
    v1, v2 = match(P1, version=1), match(P1, version=2)
    assert store.record_matches([v1, v2]) == [v1, v2]
    store.mark_emitted([v1.key])
    assert store.record_matches([v1, v2]) == [v2]
    assert store.matched_versions("r1", P1) == {1, 2}
    assert store.matched_versions("r1", P2) == set()
    assert store.matched_versions("r2", P1) == set()
    none_version = match(P4, version=None)
    assert store.record_matches([none_version]) == [none_version]
    store.mark_emitted([none_version.key])
    assert store.record_matches([none_version]) == []
    assert store.matched_versions("r1", P4) == {None}


def test_matches_for_radar_best_first_since_and_limit(store: Store) -> None:
    old = match(P1, score=0.9, at=T0)
    new_low = match(P2, score=0.2, at=T0 + dt.timedelta(hours=2))
    new_high = match(P3, score=0.7, at=T0 + dt.timedelta(hours=1))
    other_radar = match(P4, radar_id="r2", score=1.0)
    store.record_matches([old, new_low, new_high, other_radar])
    assert store.matches_for_radar("r1") == [old, new_high, new_low]
    assert store.matches_for_radar("r1", limit=2) == [old, new_high]
    since = T0 + dt.timedelta(hours=1)
    assert store.matches_for_radar("r1", since=since) == [new_high, new_low]
    assert store.matches_for_radar("r2") == [other_radar]
    assert store.matches_for_radar("nobody") == []


# --- briefing windows ---------------------------------------------------------------


def test_briefing_window_lifecycle(store: Store) -> None:
    first = match(P1, at=T0, score=0.3)
    second = match(P2, at=T0 + dt.timedelta(minutes=5), score=0.8)
    assert store.enqueue_for_briefing(first)
    assert store.enqueue_for_briefing(second)
    assert not store.enqueue_for_briefing(first)  # already queued
    [window] = store.open_windows()
    assert (window.radar_id, window.window, window.opened_at) == ("r1", 1, T0)
    assert [(i.paper_id, i.version, i.score, i.enqueued_at) for i in window.items] == [
        (P1, 1, 0.3, T0),
        (P2, 1, 0.8, T0 + dt.timedelta(minutes=5)),
    ]

    b1 = briefing("r1", 1, (P1, P2))
    assert store.close_window(b1, window.items)
    assert not store.close_window(b1, window.items)  # the window is already written
    assert store.open_windows() == []
    assert store.get_briefing(b1.id) == b1
    assert not store.enqueue_for_briefing(first)  # already briefed
    assert not store.enqueue_for_briefing(match(P1, at=T0 + dt.timedelta(days=1)))

    later = T0 + dt.timedelta(days=1)
    third = match(P3, at=later)
    assert store.enqueue_for_briefing(third)
    [window2] = store.open_windows()
    assert (window2.window, window2.opened_at, len(window2.items)) == (2, later, 1)
    b2 = briefing("r1", 2, (P3,))
    assert store.close_window(b2, window2.items)
    assert store.briefings_for_radar("r1") == [b2, b1]
    assert store.briefings_for_radar("r1", limit=1) == [b2]
    assert store.briefings_for_radar("r2") == []
    assert store.get_briefing("r1.w9") is None


def test_closing_part_of_a_window_leaves_the_rest_open(store: Store) -> None:
    items = [match(pid, at=T0 + dt.timedelta(minutes=i)) for i, pid in enumerate((P1, P2, P3))]
    for m in items:
        store.enqueue_for_briefing(m)
    store.enqueue_for_briefing(match(P4, radar_id="r2", at=T0))
    windows = store.open_windows()
    assert [(w.radar_id, w.window, len(w.items)) for w in windows] == [("r1", 1, 3), ("r2", 1, 1)]
    r1 = windows[0]
    # The briefing covers the first two; the third arrived while it was being written.
    assert store.close_window(briefing("r1", 1, (P1, P2)), r1.items[:2])
    [rest, untouched] = store.open_windows()
    assert (rest.radar_id, rest.window) == ("r1", 2)
    assert [i.paper_id for i in rest.items] == [P3]
    assert rest.opened_at == T0 + dt.timedelta(minutes=2)
    assert untouched.radar_id == "r2"
    assert untouched.window == 1


# --- ingest state, lifecycle --------------------------------------------------------


def test_published_keys_and_cursors(store: Store) -> None:
    keys = {(P1, 1), (P1, 2), (P4, None)}
    assert store.unpublished(keys) == keys
    store.mark_published([(P1, 1), (P4, None)])
    store.mark_published([(P1, 1)])  # a replay
    assert store.unpublished(keys) == {(P1, 2)}
    assert store.unpublished([]) == set()

    assert store.get_cursor("arxiv") is None
    store.set_cursor("arxiv", {"etag": '"abc"', "last_modified": "Fri, 12 Jun 2026"})
    store.set_cursor("medrxiv", {"date": "2026-06-12"})
    store.set_cursor("arxiv", {"etag": '"def"'})
    assert store.get_cursor("arxiv") == {"etag": '"def"'}
    assert store.get_cursor("medrxiv") == {"date": "2026-06-12"}


def test_dead_letters_sent_are_remembered_by_id(store: OpenedStore) -> None:
    sent = store.dead_letters
    assert sent.dead_lettered(["radars:a", "radars:b"]) == set()
    sent.remember_dead_letters(["radars:a"])
    sent.remember_dead_letters(["radars:a", "radars:a"])  # a replay, and a repeat
    assert sent.dead_lettered(["radars:a", "radars:b", "radars:a"]) == {"radars:a"}
    assert sent.dead_lettered([]) == set()


def test_ping_and_close(store: Store) -> None:
    store.ping()
    store.close()
    with pytest.raises(RuntimeError):
        store.ping()
