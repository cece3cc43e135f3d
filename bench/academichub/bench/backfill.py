"""``academichub bench backfill``: does a broad radar's backfill stop live matching?

An embedded store (SQLite + tantivy) is filled with synthetic papers (100,000 by
default, announced over a year, most of them in the last weeks); a matcher's pipeline
holds a thousand topic radars on one store thread, as in the service. Live batches of new
papers then flow through it, first alone, then while a radar matching most of the store
(:data:`BROAD`) is backfilled over the last :data:`DAYS` days, in slices between the
batches exactly as the matcher runs it (:class:`~academichub.matcher.handlers.Backfills`).

Printed, not asserted: each live batch's latency (from being handed to the store thread
to its matches recorded and published) alone and during the backfill, the backfill's
duration, slices and matches, and the longest a live batch waited on the backfill (its
latency during the backfill beyond the longest alone), against one slice and one batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from prometheus_client import CollectorRegistry
from pydantic import BaseModel

from academichub.bench.corpus import recorded_papers
from academichub.bench.match import Vocabulary, make_radar_queries
from academichub.bench.synthetic import synthetic_papers
from academichub.contracts import Paper, Radar, RadarChange, TopicName
from academichub.contracts.topics import TOPICS
from academichub.matcher.domain.backfill import Backfiller, BackfillJob, SliceOutcome
from academichub.matcher.domain.pipeline import BatchOutcome, MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.matcher.handlers import Backfills, PaperHandler, RadarHandler
from academichub.matcher.metrics import MatcherMetrics
from academichub.store.door import AsyncStore, StoreThreads
from academichub.store.port import SearchFilters, Store

# Words of almost every synthetic abstract: a radar that matches most of the store.
BROAD = "model OR method OR data OR results"
LOAD_BATCH = 2000
LIVE_BATCH = 200  # the matcher's default MATCHER_BATCH_SIZE
SLICE = 50  # the matcher's default MATCHER_BACKFILL_SLICE
DAYS = 30  # the default RADAR_BACKFILL_DAYS
RADARS = 1000
NEWEST = dt.date(2026, 6, 12)


class _CountingPublisher:
    """Acknowledges at once and keeps only a count: the service keeps nothing it published,
    and a fake that kept 100,000 events would time the garbage collector, not matching."""

    def __init__(self) -> None:
        self.events = 0

    async def publish(self, topic: TopicName, key: str, event: BaseModel) -> None:
        self.events += 1

    async def publish_many(self, topic: TopicName, items: list[tuple[str, BaseModel]]) -> None:
        self.events += len(items)

    async def publish_encoded(self, topic: TopicName, items: list[tuple[str, bytes]]) -> None:
        self.events += len(items)

    async def partitions(self, topic: TopicName) -> int:
        return TOPICS[topic].partitions


class _GcPauses:
    """The collector's pauses while installed (gc.callbacks)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)


class _TimedPipeline(MatchingPipeline):
    """The matcher's pipeline, noting when the store thread starts and ends each batch."""

    spans: list[tuple[float, float]]

    def process(self, papers: Sequence[Paper]) -> BatchOutcome:
        started = time.perf_counter()
        try:
            return super().process(papers)
        finally:
            self.spans.append((started, time.perf_counter()))


class _TimedBackfiller(Backfiller):
    """The matcher's backfiller, timing each slice on the store thread."""

    slices: list[float]

    def step(self, job: BackfillJob) -> SliceOutcome:
        started = time.perf_counter()
        try:
            return super().step(job)
        finally:
            self.slices.append(time.perf_counter() - started)


def _radar(radar_id: str, query: str) -> Radar:
    now = dt.datetime.now(dt.UTC)
    return Radar(
        id=radar_id, owner="bench", name=radar_id, query=query, created_at=now, updated_at=now
    )


def _live_batches() -> Iterator[list[Paper]]:
    """New papers announced on the newest day, with ids no stored paper has."""
    source = synthetic_papers(10_000_000, seed=11, newest=NEWEST)
    for n in itertools.count():
        batch = list(itertools.islice(source, LIVE_BATCH))
        yield [
            p.model_copy(
                update={
                    "id": f"arxiv:2999.{(n * LIVE_BATCH + i) % 100_000:05d}",
                    "version": 1,
                    "source": "arxiv",
                    "published": NEWEST,
                }
            )
            for i, p in enumerate(batch)
        ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _row(label: str, values: Sequence[float]) -> None:
    print(
        f"{label:<44} n={len(values):<4} p50 {_ms(statistics.median(values))}  "
        f"max {_ms(max(values))}"
    )


def _loader(batch: list[Paper]) -> Callable[[Store], object]:
    return lambda s: s.papers.upsert_papers(batch)


def run_bench_backfill(papers: int, live_batches: int = 20) -> int:
    from academichub.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory(prefix="academichub-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        print(f"loading {papers} synthetic papers into an embedded store …", flush=True)
        started = time.perf_counter()
        threads = StoreThreads(1, name="bench-store")
        store: AsyncStore[Store] = threads.open(lambda: EmbeddedStore(data_dir, index_writer=True))
        try:
            corpus = synthetic_papers(papers, newest=NEWEST)
            while batch := list(itertools.islice(corpus, LOAD_BATCH)):
                store.call(_loader(batch))
            print(f"loaded in {time.perf_counter() - started:.1f} s")
            return asyncio.run(_measure(store, live_batches))
        finally:
            store.call(lambda s: s.close())
            threads.close()


async def _measure(store: AsyncStore[Store], live_batches: int) -> int:
    first = NEWEST - dt.timedelta(days=DAYS - 1)
    stored = await store.run(lambda s: s.papers.count_papers())
    window = await store.run(
        lambda s: (
            s.papers.search(
                None, SearchFilters(published_from=first, published_to=NEWEST), limit=0
            ).total
        )
    )
    registry = RadarRegistry()
    metrics = MatcherMetrics(CollectorRegistry())
    publisher = _CountingPublisher()
    pipeline = store.part(
        lambda s: _TimedPipeline(
            papers=s.papers, matches=s.matches, registry=registry, corpus=s.corpus
        )
    )
    timed_pipeline = pipeline.call(lambda p: p)
    timed_pipeline.spans = []
    # Topic radars written from the recorded feeds' vocabulary (the synthetic one is too
    # small to have rare words), as ``bench match`` writes them.
    queries = make_radar_queries(RADARS, Vocabulary(recorded_papers()))
    await pipeline.run(lambda p: p.registry.load(_radar(f"r{i}", q) for i, q in enumerate(queries)))
    gc.collect()
    gc.freeze()  # what loading built is long-lived, as the matcher marks its radars
    pauses = _GcPauses()
    gc.callbacks.append(pauses)
    timed = pipeline.part(lambda p: _TimedBackfiller(p, days=DAYS, slice_size=SLICE))
    timed.call(lambda b: setattr(b, "slices", []))
    backfills = Backfills(timed, pipeline, publisher, metrics)
    radar_changes = RadarHandler(pipeline, metrics, backfills)
    handle = PaperHandler(pipeline, publisher, metrics)
    batches = _live_batches()

    waits: list[float] = []  # from a batch handed to the store thread to its start there
    works: list[float] = []  # the batch's own time on the store thread

    async def live() -> float:
        batch = next(batches)
        started = time.perf_counter()
        await handle(batch)
        # Read here, not through the store thread: a call there would queue behind the
        # backfill's next slice and hide the wait being measured.
        began, ended = timed_pipeline.spans[-1]
        waits.append(began - started)
        works.append(ended - began)
        return time.perf_counter() - started

    for _ in range(3):  # warm-up: first commits, radar tables
        await live()
    waits.clear()
    works.clear()
    alone = [await live() for _ in range(live_batches)]
    alone_works = works[:]
    waits.clear()

    broad = _radar("broad", BROAD)
    await radar_changes(
        [RadarChange(kind="upsert", radar_id=broad.id, revision=broad.revision, radar=broad)]
    )

    async def backfill() -> None:
        while not backfills.idle:
            await backfills.work_once()

    started = time.perf_counter()
    task = asyncio.create_task(backfill())
    during: list[float] = []
    while not task.done():
        during.append(await live())
    await task
    took = time.perf_counter() - started
    mark = await store.run(lambda s: s.matches.backfill_mark("broad"))
    slices = timed.call(lambda b: list(b.slices))
    read = metrics.registry.get_sample_value("academichub_matcher_backfill_papers_total") or 0

    print(
        f"\nstore: {stored} papers, {window} announced in the {DAYS} days to {NEWEST}; "
        f"{RADARS} topic radars held"
    )
    print(f"broad radar: {BROAD!r}; live batches of {LIVE_BATCH} papers, slices of {SLICE}")
    # Every figure is wall-clock time on this machine: say how busy it was.
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min)\n")
    _row("live batch alone: store-thread time", alone_works)
    _row("live batch alone: handed in to finished", alone)
    _row("backfill slice: store-thread time", slices)
    _row("live batch during: wait for the store thread", waits)
    _row("live batch during: handed in to finished", during)
    gc.callbacks.remove(pauses)
    _row("garbage collector pause (all phases)", pauses.pauses or [0.0])
    matched = mark.papers if mark is not None else 0
    print(
        f"\nbackfill: {int(read)} candidates read through the index in {len(slices)} slices, "
        f"{matched} matched, {took:.1f} s, while {len(during)} live batches "
        f"({len(during) * LIVE_BATCH} papers, all announced on the newest day, the day the "
        f"backfill reads first) were matched"
    )
    batch = statistics.median(alone_works)
    print(
        f"longest a live batch waited on the backfill: {_ms(max(waits)).strip()} = "
        f"{max(waits) / batch:.2f} live batches (p50 store-thread time alone, "
        f"{_ms(batch).strip()}); median wait {_ms(statistics.median(waits)).strip()}: "
        f"live matching was held up by "
        f"{'at most one batch' if max(waits) <= batch else 'more than one batch at worst'}"
    )
    return 0
