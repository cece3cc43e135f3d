"""A new or changed radar matched against the recent stored papers at once: the live
rules, idempotent under replay and across replicas, retracting what no longer holds."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Callable
from typing import TypeVar

from prometheus_client import CollectorRegistry

from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Match, Paper, PaperMatches, Radar, RadarChange, TopicName
from academichub.matcher.domain.backfill import Backfiller
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.matcher.handlers import Backfills, PaperHandler, RadarHandler
from academichub.matcher.metrics import MatcherMetrics
from academichub.radar.document import PaperDocument
from academichub.radar.scoring import WithPaper, score_document
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore

R = TypeVar("R")
NOW = dt.datetime(2026, 6, 20, 9, 0, tzinfo=dt.UTC)
NEWEST = dt.date(2026, 6, 12)  # the newest stored announcement: days count back from it


def radar(rid: str, query: str, revision: int = 1) -> Radar:
    return Radar(
        id=rid, owner="u", name=rid, query=query, revision=revision, created_at=NOW, updated_at=NOW
    )


def upsert(r: Radar) -> RadarChange:
    return RadarChange(kind="upsert", radar_id=r.id, revision=r.revision, radar=r)


def paper(n: int, title: str, *, days_old: int = 0, version: int = 1) -> Paper:
    return Paper(
        id=f"arxiv:2506.{n:05d}",
        version=version,
        source="arxiv",
        announce_type="new" if version == 1 else "replace",
        title=title,
        abstract=f"We study {title} in detail.",
        categories=("quant-ph",),
        published=NEWEST - dt.timedelta(days=days_old),
    )


STORED = [
    paper(1, "surface code decoders", days_old=0),
    paper(2, "qubit readout with surface codes", days_old=1),
    paper(3, "qubit decoders for surface codes", days_old=2),
    paper(4, "surface code thresholds", days_old=29),
    paper(5, "surface code history", days_old=30),  # one day too old for 30 days
    paper(6, "protein folding", days_old=0),
]


class Replica:
    """One matcher replica over a shared store: its registry, pipeline and backfills."""

    def __init__(self, store: InMemoryStore, publisher: RecordingPublisher, slice_size: int = 2):
        self.registry = RadarRegistry()
        self.metrics = MatcherMetrics(CollectorRegistry())
        self.pipeline = AsyncStore.inline(
            MatchingPipeline(
                papers=store.papers,
                matches=store.matches,
                registry=self.registry,
                corpus=store.corpus,
                clock=lambda: NOW,
            )
        )
        self.backfills = Backfills(
            self.pipeline.part(lambda p: Backfiller(p, days=30, slice_size=slice_size)),
            self.pipeline,
            publisher,
            self.metrics,
        )
        self.radars = RadarHandler(self.pipeline, self.metrics, self.backfills)
        self.papers = PaperHandler(self.pipeline, publisher, self.metrics)

    async def settle(self) -> int:
        """Work the backfills until none is left; how many slices that took."""
        rounds = 0
        while not self.backfills.idle:
            await self.backfills.work_once()
            rounds += 1
        return rounds


def stored_store() -> InMemoryStore:
    store = InMemoryStore()
    store.papers.upsert_papers(STORED)
    return store


def published(publisher: RecordingPublisher) -> list[Match]:
    """The matches of the grouped events published, one by one."""
    return [
        m
        for event in publisher.on(TopicName.MATCHES)
        if isinstance(event, PaperMatches)
        for m in event.each()
    ]


def keys(matches: list[Match]) -> set[tuple[str, str, int | None]]:
    return {m.key for m in matches}


async def test_a_new_radar_is_matched_against_the_recent_stored_papers_as_live() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher)
    await replica.radars([upsert(radar("sc", '"surface code"'))])
    rounds = await replica.settle()

    found = published(publisher)
    # Papers 1-4 are within the 30 days that end with the newest announcement; 5 is not.
    assert sorted(m.paper_id for m in found) == [f"arxiv:2506.0000{n}" for n in (1, 2, 3, 4)]
    assert {m.origin for m in found} == {"backfill"}
    assert {m.matched_at for m in found} == {NOW}  # one moment: shown together
    assert rounds > 2  # in slices of two papers, not one long call

    # Exactly what live matching gives when the same papers arrive after the radar.
    live_store = InMemoryStore()
    live_publisher = RecordingPublisher()
    live = Replica(live_store, live_publisher)
    live.registry.load([radar("sc", '"surface code"')])
    await live.papers(STORED[:4])
    as_live = {(m.paper_id, m.version, m.terms) for m in published(live_publisher)}
    assert {(m.paper_id, m.version, m.terms) for m in found} == as_live
    # Scored by the live rule: the pipeline's corpus snapshot plus the paper.
    snapshot = replica.pipeline.call(lambda p: p.snapshots.current)
    assert snapshot.stats.n_docs == len(STORED)  # version 1, made from the stored papers
    for m in found:
        doc = PaperDocument.from_paper(next(p for p in STORED if p.id == m.paper_id))
        assert m.score == round(score_document(m.terms, doc, WithPaper(snapshot.stats, doc)), 6)

    mark = store.matches.backfill_mark("sc")
    assert mark is not None
    assert (mark.query, mark.papers) == ('"surface code"', 4)
    assert (mark.first_day, mark.last_day) == (NEWEST - dt.timedelta(days=29), NEWEST)
    assert store.matches.emitted == keys(found)  # marked emitted once published


async def test_a_replayed_change_or_a_restart_adds_nothing() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher)
    change = upsert(radar("sc", '"surface code"'))
    await replica.radars([change])
    await replica.settle()
    first = len(published(publisher))

    await replica.radars([change])  # the radars topic replayed
    await replica.settle()
    restarted = Replica(store, publisher)  # a restart: radars loaded, all offered
    restarted.registry.load([radar("sc", '"surface code"')])
    for radar_id in restarted.registry.radars:
        restarted.backfills.want(radar_id)
    await restarted.settle()

    assert len(published(publisher)) == first
    assert len(store.matches.match_keys("sc")) == first


async def test_an_interrupted_backfill_runs_again_without_duplicates() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher)
    await replica.radars([upsert(radar("sc", '"surface code"'))])
    await replica.backfills.work_once()  # one slice recorded and published, then a crash
    assert store.matches.backfill_mark("sc") is None

    restarted = Replica(store, publisher)
    restarted.registry.load([radar("sc", '"surface code"')])
    restarted.backfills.want("sc")
    await restarted.settle()
    assert len(store.matches.match_keys("sc")) == 4
    assert store.matches.backfill_mark("sc") is not None


async def test_two_replicas_backfilling_one_radar_add_each_match_once() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    one, two = Replica(store, publisher), Replica(store, publisher, slice_size=3)
    change = upsert(radar("sc", '"surface code"'))
    await one.radars([change])
    await two.radars([change])
    while not (one.backfills.idle and two.backfills.idle):  # interleaved slices
        await one.backfills.work_once()
        await two.backfills.work_once()

    assert len(store.matches.match_keys("sc")) == 4
    # What reached the topic twice is queued once: the briefer's window holds each once.
    for match in published(publisher):
        store.briefings.enqueue_for_briefing(match)
    (window,) = store.briefings.open_windows()
    assert sorted(i.paper_id for i in window.items) == [f"arxiv:2506.0000{n}" for n in (1, 2, 3, 4)]


async def test_a_query_change_retracts_what_no_longer_matches_and_backfills_the_new() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher)
    await replica.radars([upsert(radar("q", "qubit"))])
    await replica.settle()
    assert {k[1] for k in store.matches.match_keys("q")} == {"arxiv:2506.00002", "arxiv:2506.00003"}
    for match in published(publisher):
        store.briefings.enqueue_for_briefing(match)

    await replica.radars([upsert(radar("q", "decoders", revision=2))])
    await replica.settle()

    # 2 (qubit readout) no longer holds; 3 still does; 1 (surface code decoders) is new.
    assert {k[1] for k in store.matches.match_keys("q")} == {"arxiv:2506.00001", "arxiv:2506.00003"}
    (window,) = store.briefings.open_windows()
    assert [i.paper_id for i in window.items] == ["arxiv:2506.00003"]  # 2 left the window
    assert (
        replica.metrics.registry.get_sample_value("academichub_matcher_retracted_matches_total")
        == 1.0
    )
    mark = store.matches.backfill_mark("q")
    assert mark is not None
    assert (mark.query, mark.revision) == ("decoders", 2)


async def test_a_change_back_to_an_earlier_query_still_retracts() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher)
    await replica.radars([upsert(radar("q", "qubit"))])
    await replica.settle()
    # Changed and changed back before the backfill of the middle query ran: live matching
    # may have added matches of the middle query meanwhile; they are retracted.
    await replica.radars([upsert(radar("q", "protein", revision=2))])
    await replica.papers([paper(7, "protein design", days_old=0)])
    await replica.radars([upsert(radar("q", "qubit", revision=3))])
    await replica.settle()
    assert {k[1] for k in store.matches.match_keys("q")} == {"arxiv:2506.00002", "arxiv:2506.00003"}


async def test_a_deleted_radar_has_its_matches_retracted() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher)
    await replica.radars([upsert(radar("sc", '"surface code"'))])
    await replica.settle()
    await replica.radars([RadarChange(kind="delete", radar_id="sc", revision=2)])
    await replica.settle()
    assert store.matches.match_keys("sc") == []
    assert store.matches.backfill_mark("sc") is None


async def test_a_renamed_radar_is_not_backfilled_again() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher)
    await replica.radars([upsert(radar("sc", '"surface code"'))])
    await replica.settle()
    sent = len(publisher.sent)
    renamed = radar("sc", '"surface code"', revision=2).model_copy(update={"name": "Codes"})
    await replica.radars([upsert(renamed)])
    assert await replica.settle() == 1  # one look-up: the query was backfilled already
    assert len(publisher.sent) == sent


async def test_the_new_version_rule_is_the_live_one() -> None:
    store = InMemoryStore()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher)
    # The radar matched version 1 live; version 2 is stored since. Without type:replace the
    # radar is not offered version 2, by the backfill either.
    replica.registry.load([radar("sc", '"surface code"')])
    await replica.papers([paper(1, "surface code decoders")])
    store.papers.upsert_papers([paper(1, "surface code decoders", version=2)])
    replica.registry.load([radar("sc", '"surface code" AND decoders', revision=2)])
    replica.backfills.want("sc", changed=True)
    await replica.settle()
    assert store.matches.match_keys("sc") == [("sc", "arxiv:2506.00001", 1)]


async def test_live_batches_run_between_slices() -> None:
    store = stored_store()
    publisher = RecordingPublisher()
    replica = Replica(store, publisher, slice_size=1)
    await replica.radars([upsert(radar("sc", '"surface code"'))])
    await replica.backfills.work_once()
    await replica.papers([paper(8, "surface code compilers")])  # a live batch meanwhile
    await replica.settle()
    origins = {m.paper_id: m.origin for m in published(publisher)}
    assert origins["arxiv:2506.00008"] == "live"
    assert len(origins) == 5


async def test_papers_arriving_on_the_day_being_read_are_left_to_live_matching() -> None:
    store = InMemoryStore()
    today = [paper(n, f"surface code study {n}") for n in range(10, 16)]
    store.papers.upsert_papers(today)
    publisher = RecordingPublisher()
    replica = Replica(store, publisher, slice_size=2)
    await replica.radars([upsert(radar("sc", '"surface code"'))])
    arriving = iter(range(20, 35))
    while not replica.backfills.idle:
        await replica.backfills.work_once()
        # A stream of new matching papers on the very day the backfill is reading, three
        # after each slice (more than a slice of two).
        batch = [paper(n, "surface code news") for n in itertools.islice(arriving, 3)]
        if batch:
            await replica.papers(batch)
    read = replica.metrics.registry.get_sample_value("academichub_matcher_backfill_papers_total")
    assert read == 6  # the six stored before, each read once; none of the new ones
    origins = {m.paper_id: m.origin for m in published(publisher)}
    assert [p.id for p in today if origins.get(p.id) != "backfill"] == []
    assert {origins[f"arxiv:2506.000{n}"] for n in range(20, 35)} == {"live"}


class CountingStore(AsyncStore[Backfiller]):
    """Calls made on the store's thread, counted."""

    calls = 0

    async def run(self, fn: Callable[[Backfiller], R], *, abandon_on_cancel: bool = False) -> R:
        self.calls += 1
        return await super().run(fn, abandon_on_cancel=abandon_on_cancel)


async def test_a_restart_offers_every_radar_in_batches_and_stops_when_asked() -> None:
    """At start every held radar is wanted: those backfilled already cost a look-up each,
    made a batch at a time on the store's thread; a stop set meanwhile is obeyed."""
    from academichub.matcher.handlers import START_BATCH

    store, publisher = stored_store(), RecordingPublisher()
    first = Replica(store, publisher)
    many = [radar(f"r{i}", "surface code" if i % 2 else "protein") for i in range(1200)]
    await first.radars([upsert(r) for r in many])
    await first.settle()
    matched = len(published(publisher))
    assert matched == 600 * 4 + 600  # four surface code papers, one protein paper

    restarted = Replica(store, publisher)
    restarted.registry.load(many)
    counted = CountingStore(Backfiller(restarted.pipeline.call(lambda p: p), days=30), None)
    backfills = Backfills(counted, restarted.pipeline, publisher, restarted.metrics)
    for r in many:
        backfills.want(r.id)
    while not backfills.idle:
        await backfills.work_once()
    assert counted.calls == -(-len(many) // START_BATCH)  # 3 calls, not 1,200
    assert len(published(publisher)) == matched  # all were backfilled already

    stop = asyncio.Event()
    stopping = Replica(store, publisher)
    stopping.registry.load(many)
    for r in many:
        stopping.backfills.want(r.id)
    stop.set()
    await stopping.backfills.work_once(stop)
    assert not stopping.backfills.idle  # nothing started after the stop
