"""The Elasticsearch store against hand-written exchanges (see test_elastic_replay.py).

Each test drives the real client through one fixture of ``tests/fixtures/elastic/``: the
requests the adapter sends must be exactly the recorded ones (bulk NDJSON, search bodies,
query parameters), and the recorded answers (409 conflicts, 429 pushback, bulk item
errors, missing documents and indices) must be turned into the port's outcomes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from academichub.contracts.match_groups import regroup
from academichub.embedding.port import EmbeddingModel
from academichub.radar.parser import parse_query
from academichub.store.elastic import (
    Backoff,
    BulkItemFailed,
    ElasticsearchStore,
    ElasticsearchStoreError,
    IndexMissing,
    Overloaded,
)
from academichub.store.port import (
    Neighbour,
    OpenWindow,
    PaperVector,
    PaperWrite,
    PendingItem,
    SearchFilters,
    Store,
)
from tests.integration.store.factories import T0, briefing, match, paper, radar
from tests.unit.store.test_elastic_replay import replay

P1 = paper(1, "Quantum codes", "Rotations of qubits.")
P2 = paper(
    2,
    "Vaccine trial",
    version=None,
    source="journal:nature",
    announce_type=None,
    authors=(),
    categories=(),
)
P3 = paper(3, "Quantum dots")


class Sleeps(list[float]):
    """The pauses the backoff asked for (recorded, not slept)."""

    def backoff(self, attempts: int = 6) -> Backoff:
        # jitter 1.0: every pause is its full ceiling, so the figures are exact.
        return Backoff(attempts=attempts, sleep=self.append, jitter=lambda: 1.0)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@contextmanager
def opened(name: str, sleeps: Sleeps, **options: Any) -> Iterator[ElasticsearchStore]:
    """A store over the replay of fixture ``name``, pausing into ``sleeps``."""
    with replay(name) as client:
        yield ElasticsearchStore(client, backoff=sleeps.backoff(), **options)


def test_the_adapter_is_a_store() -> None:
    with replay("no_exchanges") as client:
        store: Store = ElasticsearchStore(client)
        assert store.papers.drain_index_queue() == 0
        assert store.papers.upsert_papers([]) == []
        assert store.papers.get_papers([]) == {}
        assert store.matches.record_matches([]) == []
        store.matches.mark_emitted([])
        store.ingest.mark_published([])
        assert store.ingest.unpublished([]) == set()


# --- papers ---------------------------------------------------------------------------


def test_new_papers_are_written_whole_with_their_version_as_external_version(
    sleeps: Sleeps,
) -> None:
    with opened("papers_new", sleeps) as store:
        assert store.papers.upsert_papers([P1, P2]) == [PaperWrite.NEW, PaperWrite.NEW]
    assert sleeps == []


def test_conflicts_tell_replays_from_stale_versions(sleeps: Sleeps) -> None:
    replayed = paper(1, "Quantum codes")
    stale = paper(2, "Spin chains", version=2)
    recovered = paper(3, "Photon pairs", version=2)  # stored, its history lost in a crash
    raced = paper(4, "Cold atoms")  # another writer stored it between our read and write
    newer = paper(1, "Topological codes", version=2, published=dt.date(2026, 6, 11))
    with opened("papers_replay_stale_recovery", sleeps) as store:
        assert store.papers.upsert_papers([replayed, stale, recovered, raced, newer]) == [
            PaperWrite.UNCHANGED,
            PaperWrite.STALE,
            PaperWrite.UNCHANGED,
            PaperWrite.UNCHANGED,
            PaperWrite.NEW_VERSION,  # in a second request, keeping its arrival seq
        ]


def test_a_journal_publication_is_merged_into_the_stored_version(sleeps: Sleeps) -> None:
    published = paper(1, "Spin chains").model_copy(update={"doi": "10.1103/physrevb.111.144313"})
    with opened("papers_publication", sleeps) as store:
        assert store.papers.upsert_papers([published]) == [PaperWrite.PUBLISHED]
        assert store.papers.upsert_papers([published]) == [PaperWrite.UNCHANGED]


def test_bulk_writes_are_bounded(sleeps: Sleeps) -> None:
    with opened("papers_bounded_batches", sleeps, batch_size=2) as store:
        assert store.papers.upsert_papers([P1, P2]) == [PaperWrite.NEW, PaperWrite.NEW]


def test_pushback_is_retried_with_growing_pauses(sleeps: Sleeps) -> None:
    with opened("papers_backpressure", sleeps) as store:
        assert store.papers.upsert_papers([P1, P2]) == [PaperWrite.NEW, PaperWrite.NEW]
    # A whole request refused, then one item of the retry: two pauses, doubling.
    assert sleeps == [0.5, 1.0]


def test_pushback_that_does_not_stop_is_an_error(sleeps: Sleeps) -> None:
    with replay("bulk_overloaded") as client:
        store = ElasticsearchStore(client, backoff=sleeps.backoff(attempts=2))
        with pytest.raises(Overloaded, match="1 of 1 operations still rejected with 429"):
            store.ingest.mark_published([(P1.id, 1)])
    assert sleeps == [0.5]


def test_a_failed_bulk_item_is_never_taken_for_an_outcome(sleeps: Sleeps) -> None:
    with opened("bulk_item_failed", sleeps) as store, pytest.raises(BulkItemFailed) as failure:
        store.ingest.mark_published([(P1.id, 1), (P2.id, None)])
    assert failure.value.doc_id == "arxiv:2606.00002#0"
    assert "HTTP 400 document_parsing_exception" in str(failure.value)
    assert sleeps == []


def test_reading_papers(sleeps: Sleeps) -> None:
    v3 = paper(1, "Quantum codes", version=3)
    with opened("papers_read", sleeps, page_size=2) as store:
        assert store.papers.get_papers([P2.id, "arxiv:2606.09999", v3.id, P2.id]) == {
            P2.id: P2,
            v3.id: v3,
        }
        assert store.papers.get_paper("arxiv:2606.09999") is None
        assert store.papers.paper_versions(v3.id) == [1, 2, 3]  # two pages of two
        assert store.papers.latest_papers(2, offset=1) == [P2, v3]
        assert store.papers.count_papers() == 3


def test_search_sends_the_compiled_query_and_reads_exact_totals(sleeps: Sleeps) -> None:
    with opened("search", sleeps) as store:
        filters = SearchFilters(sources=("arxiv",), published_from=dt.date(2026, 6, 9))
        page = store.papers.search(parse_query("quantum -deep"), filters, limit=2)
        assert page.total == 3
        assert [(h.paper, h.score) for h in page.hits] == [(P1, 4.2), (P3, 1.3)]

        listing = store.papers.search(None, sort="date", limit=1, offset=1)
        assert (listing.total, [(h.paper, h.score) for h in listing.hits]) == (2, [(P2, 0.0)])

        by_date = store.papers.search(parse_query("title:quantum"), sort="date", limit=5)
        assert (by_date.total, [h.score for h in by_date.hits]) == (1, [2.5])


# --- radars ---------------------------------------------------------------------------


def test_radar_revisions_tombstones_and_listing(sleeps: Sleeps) -> None:
    first = radar("r1", revision=1)
    with opened("radars", sleeps, page_size=1) as store:
        assert store.radars.put_radar(first)
        assert not store.radars.put_radar(first)  # replayed: 409
        assert store.radars.get_radar("r1") == first
        assert store.radars.delete_radar("r1")  # after losing one race to a newer revision
        assert not store.radars.delete_radar("r1")
        assert store.radars.get_radar("r1") is None
        assert store.radars.get_radar("never") is None
        early = radar("z", owner="alice", created_at=T0)
        late = radar("b", owner="alice", created_at=T0 + dt.timedelta(days=1))
        assert store.radars.list_radars("alice") == [early, late]


# --- matches --------------------------------------------------------------------------


def test_matches_are_inserted_once_and_handed_back_until_emitted(sleeps: Sleeps) -> None:
    m1 = match(P1.id, score=0.5)
    m2 = match(P2.id, version=None, score=0.9)
    with opened("matches", sleeps) as store:
        assert store.matches.record_matches([m1, m2, match(P1.id, score=0.1)]) == [m1, m2, m1]
        # The unknown is ignored.
        store.matches.mark_emitted(regroup([m1, match("arxiv:2606.09999")]))
        assert store.matches.record_matches([m1, m2]) == [m2]
        assert store.matches.matches_for_radar("r1", since=T0, limit=2) == [m2, m1]
        assert store.matches.versions_matched(P1.id, ["r1"]) == {"r1": {1, 2}}


# --- briefing windows -----------------------------------------------------------------


def test_a_briefing_window_opens_closes_once_and_stays_closed(sleeps: Sleeps) -> None:
    first = match(P1.id, at=T0, score=0.3)
    item = PendingItem(P1.id, 1, 0.3, T0)
    b1 = briefing("r1", 1, (P1.id,))
    with opened("briefing_windows", sleeps) as store:
        assert store.briefings.enqueue_for_briefing(first)
        assert not store.briefings.enqueue_for_briefing(first)
        assert store.briefings.open_windows() == [OpenWindow("r1", 1, T0, (item,))]
        assert store.briefings.close_window(b1, (item,))
        assert not store.briefings.close_window(b1, (item,))
        assert store.briefings.get_briefing(b1.id) == b1
        assert store.briefings.briefings_for_radar("r1", limit=1) == [b1]
        assert store.briefings.open_windows() == []


def test_an_interrupted_close_is_finished_later(sleeps: Sleeps) -> None:
    b1 = briefing("r1", 1, (P1.id, P2.id))
    later = T0 + dt.timedelta(days=1)
    with opened("briefing_recovery", sleeps) as store:
        # Replayed after a crash between the briefing and its items: the stored items are
        # applied (not the ones given now), and the answer is still "already written".
        assert not store.briefings.close_window(b1, (PendingItem(P1.id, 1, 0.3, T0),))
        # Another briefing was left half-closed: open_windows finishes it first.
        assert store.briefings.open_windows() == [
            OpenWindow("r1", 2, later, (PendingItem("arxiv:2606.00003", 1, 0.7, later),)),
            OpenWindow("r2", 4, T0, (PendingItem("arxiv:2606.00005", None, 0.2, T0),)),
        ]


def test_with_refresh_every_write_is_visible_at_once(sleeps: Sleeps) -> None:
    item = PendingItem(P1.id, 1, 0.3, T0)
    with opened("refresh_true", sleeps, refresh=True) as store:
        store.ingest.set_cursor("arxiv", {"etag": '"abc"'})
        store.ingest.mark_published([(P1.id, 1)])
        assert store.briefings.close_window(briefing("r1", 1, (P1.id,)), (item,))


# --- ingest state, lifecycle ----------------------------------------------------------


def test_published_keys_and_cursors(sleeps: Sleeps) -> None:
    with opened("ingest_state", sleeps) as store:
        keys = {(P1.id, 2), (P1.id, 1), (P2.id, None)}
        assert store.ingest.unpublished(keys) == {(P1.id, 2)}
        store.ingest.mark_published([(P1.id, 2)])
        assert store.ingest.get_cursor("arxiv") is None
        store.ingest.set_cursor("arxiv", {"etag": '"abc"', "last_modified": "Fri, 12 Jun 2026"})
        assert store.ingest.get_cursor("medrxiv") == {"date": "2026-06-12"}


def test_missing_indices_and_a_closed_store_are_errors(sleeps: Sleeps) -> None:
    with opened("lifecycle", sleeps) as store:
        store.ping()
        with pytest.raises(IndexMissing, match="'academichub-papers' does not exist"):
            store.ping()
        with pytest.raises(
            IndexMissing, match=r"one of .*academichub-dead-letters.* does not exist"
        ):
            store.ping()
        with pytest.raises(IndexMissing, match="ensure_indices"):
            store.papers.count_papers()
        with pytest.raises(IndexMissing, match="academichub-radars"):
            store.radars.get_radar("r1")
        with pytest.raises(IndexMissing, match="academichub-ingest-published"):
            store.ingest.unpublished([(P1.id, 1)])
        store.close()
        store.close()
        with pytest.raises(RuntimeError, match="closed"):
            store.ping()
        with pytest.raises(ElasticsearchStoreError, match="closed"):
            store.papers.upsert_papers([P1])


# --- vectors --------------------------------------------------------------------------

TINY = EmbeddingModel(name="test-model", revision="r1", dimension=4)


def test_vectors_one_index_per_model_external_versions_and_knn(sleeps: Sleeps) -> None:
    """The index of the model is created when first needed; a paper's version is the
    external version (a replay is a 409, reported as not written); held versions are an
    mget; nearest papers a kNN search whose filters go inside ``knn.filter``, its
    ``(1 + cosine) / 2`` scores given back as cosines."""
    first = PaperVector(P1.id, 1, dt.date(2026, 6, 10), "arxiv", ("quant-ph",), unit4(1, 0))
    second = PaperVector(P2.id, None, dt.date(2026, 6, 11), "arxiv", ("hep-th",), unit4(0.6, 0.8))
    with opened("vectors", sleeps, refresh=True) as store:
        assert store.vectors.put_vectors(TINY, [first, second]) == [True, True]
        assert store.vectors.put_vectors(TINY, [first]) == [False]
        assert store.vectors.vectors_held(TINY, [(P1.id, 1), (P1.id, 2)]) == {(P1.id, 1)}
        found = store.vectors.nearest(
            TINY,
            unit4(0.6, 0.8),
            limit=2,
            filters=SearchFilters(published_from=dt.date(2026, 6, 1)),
            exclude=[P2.id],
        )
        assert found == [Neighbour(P1.id, pytest.approx(0.6, abs=1e-6))]
        stored = store.vectors.paper_vectors(TINY, [P2.id])
        assert np.array_equal(stored[P2.id].vector, unit4(0.6, 0.8))
        store.vectors.put_text_vectors(TINY, {"bosonic codes": unit4(0, 0, 1)})
        texts = store.vectors.text_vectors(TINY, ["bosonic codes"])
        assert np.array_equal(texts["bosonic codes"], unit4(0, 0, 1))


def unit4(*values: float) -> npt.NDArray[np.float32]:
    row = np.zeros(4, dtype=np.float32)
    row[: len(values)] = values
    return row
