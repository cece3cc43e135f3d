"""The matcher's composition root: one process, wired here and nowhere else.

``serve`` opens the store on the matcher's one store thread (the index writer, the radar
index and the pipeline live there), starts the publisher, serves ``/metrics``,
``/healthz`` and ``/readyz`` on ``MATCHER_WEB_PORT``, loads every radar (from the index
snapshot of its last clean stop brought up to date with the store, or from the store:
:mod:`academichub.matcher.snapshot`), then runs two consumer loops
(:mod:`academichub.broker.consumer`) until SIGINT/SIGTERM:

* ``papers`` as a member of consumer group ``MATCHER_GROUP_ID`` (``academichub-matcher``;
  KEDA scales on its lag), batches of ``MATCHER_BATCH_SIZE`` papers or what arrived within
  ``MATCHER_BATCH_WITHIN_SECONDS``, committed after each batch is matched and its matches
  published (at-least-once);
* ``radars`` followed from the start of every partition, without a group, in every
  replica: changes made since the store was read arrive there (replays are harmless,
  the registry applies only newer revisions). Its poison is remembered in the store, so
  a restart does not dead-letter it again.

Beside them runs the backfill of new and changed radars
(:class:`~academichub.matcher.handlers.Backfills`, ``RADAR_BACKFILL_DAYS``), one slice at
a time between live batches. At start every loaded radar is offered to it: those whose
query was backfilled already (remembered in the store) cost one look-up, the others (a
backfill interrupted, or a radar saved while no matcher ran) are backfilled then.

The store stays the source of truth for radars: every ``MATCHER_RADAR_RESYNC_SECONDS``,
and at once when the radars topic turns out to be a new log (the broker lost it: the
follower's position was past its end), the registry is made to hold exactly the store's
radars (:meth:`~academichub.matcher.registry.RadarRegistry.sync`), so radars created or
deleted while the broker was away are matched, or not, without a restart.

Ready means: radars loaded, both consumers polling (not retrying a batch), the store and
the broker answering. Live (``/healthz``) means no consumer has gone
``MATCHER_CONSUMER_LIVENESS_SECONDS`` without polling (a hung batch: restart me).

The embedded store's index writer also indexes what scaled-out replicas stored. On a
clean stop the registry's snapshot is written for the next start.

With ``MATCHER_ROLE=embed`` the process is the embedding role instead (:func:`serve_embed`,
the same shape): the embedder of ``EMBEDDING_*`` (BLAS limited to
``EMBEDDING_BLAS_THREADS``), ``papers`` in its own consumer group
``MATCHER_EMBED_GROUP_ID`` (``academichub-embedder``) in batches of
``MATCHER_EMBED_BATCH_SIZE``, ``radars`` followed as above; the semantic radars' profiles
are built from the store at start; every ``MATCHER_EMBED_CHECK_SECONDS`` the papers without
vectors are counted (``/metrics``), and once a day the thresholds are refreshed. It never
writes the full-text index.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry

from academichub.broker.consumer import ConsumerLoop
from academichub.broker.dead_letters import DeadLetters
from academichub.broker.kafka_source import FollowSource, GroupSource
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.probe import KafkaBrokerProbe, broker_answer
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import Paper, RadarChange, TopicName
from academichub.embedding.port import Embedder, EmbeddingModel
from academichub.embedding.settings import build_embedder
from academichub.matcher import snapshot
from academichub.matcher.domain.backfill import Backfiller
from academichub.matcher.domain.pipeline import MatchingPipeline
from academichub.matcher.domain.registry import RadarRegistry
from academichub.matcher.domain.semantic import SemanticPipeline, SemanticRadars
from academichub.matcher.handlers import (
    Backfills,
    Embedding,
    EmbedHandler,
    EmbedRadarHandler,
    PaperHandler,
    RadarHandler,
    install,
)
from academichub.matcher.metrics import MatcherMetrics
from academichub.matcher.settings import MatcherSettings
from academichub.platform.blas import limit_blas_threads
from academichub.platform.health_app import Check, answer, health_app
from academichub.platform.heap import building_long_lived
from academichub.platform.http_server import serve_http
from academichub.platform.lifecycle import run_main, run_until_stopped, stop_on_signals
from academichub.store.door import AsyncStore, StoreThreads
from academichub.store.factory import open_store
from academichub.store.port import PaperStore, RadarStore, Store
from academichub.store.probe import store_answer

log = logging.getLogger(__name__)

SERVICE = "matcher"
DRAIN_BATCH = 500
DRAIN_INTERVAL_SECONDS = 0.5


def main() -> None:
    run_main(SERVICE, MatcherSettings, serve)


async def serve(
    settings: MatcherSettings,
    *,
    stop: asyncio.Event | None = None,
    registry: CollectorRegistry = REGISTRY,
    open_configured: Callable[[], Store] | None = None,
    embedder: Embedder | None = None,
) -> None:
    """Run the matcher until ``stop`` is set (when not given: SIGINT/SIGTERM), in the role
    its settings say (``embedder``: the embed role's, instead of ``EMBEDDING_*``'s)."""
    if settings.role == "embed":
        await serve_embed(
            settings,
            stop=stop,
            registry=registry,
            open_configured=open_configured,
            embedder=embedder,
        )
        return
    common = settings.common
    async with contextlib.AsyncExitStack() as stack:
        stop = stack.enter_context(stop_on_signals(stop))
        metrics = MatcherMetrics(registry)
        consumer_metrics = ConsumerMetrics(registry)

        # One thread: the index writer, the radar index and the pipeline are used there only.
        threads = StoreThreads(1, name="matcher-store")
        stack.callback(threads.close)
        store = threads.open(
            open_configured or (lambda: open_store(common, index_writer=settings.index_writer))
        )
        stack.callback(store.call, lambda s: s.close())
        radars = RadarRegistry()
        pipeline = store.part(
            lambda s: MatchingPipeline(
                papers=s.papers, matches=s.matches, registry=radars, corpus=s.corpus
            )
        )

        publisher = KafkaPublisher(
            common.bootstrap_servers, client_id=SERVICE, idempotence=common.producer_idempotence
        )
        stack.push_async_callback(publisher.stop)
        await publisher.start()

        resync = asyncio.Event()  # set: read the radars from the store again now

        def radars_lost(_partition: int) -> None:
            consumer_metrics.log_reset(TopicName.RADARS)
            resync.set()

        papers_source = GroupSource(
            common.bootstrap_servers,
            TopicName.PAPERS,
            group_id=settings.group_id,
            client_id=SERVICE,
            max_records=settings.batch_size,
            wait_seconds=settings.batch_within_seconds,
            on_log_reset=lambda _partition: consumer_metrics.log_reset(TopicName.PAPERS),
            session_timeout_ms=int(settings.session_timeout_seconds * 1000),
            heartbeat_interval_ms=int(settings.session_timeout_seconds * 1000 / 3),
            rebalance_timeout_ms=int(settings.rebalance_timeout_seconds * 1000),
        )
        radars_source = FollowSource(
            common.bootstrap_servers,
            TopicName.RADARS,
            client_id=f"{SERVICE}-radars",
            on_log_reset=radars_lost,
        )
        papers = ConsumerLoop(
            topic=TopicName.PAPERS,
            event=Paper,
            source=papers_source,
            handle=PaperHandler(pipeline, publisher, metrics),
            dead_letters=DeadLetters(publisher, service=SERVICE),
            metrics=consumer_metrics,
        )
        backfills = Backfills(
            pipeline.part(
                lambda p: Backfiller(
                    p, days=common.radar_backfill_days, slice_size=settings.backfill_slice
                )
            ),
            pipeline,
            publisher,
            metrics,
        )
        radar_changes = RadarHandler(pipeline, metrics, backfills)
        follower = ConsumerLoop(
            topic=TopicName.RADARS,
            event=RadarChange,
            source=radars_source,
            handle=radar_changes,
            check=radar_changes.check,
            # Read from offset 0 on every start: each dead letter is remembered, sent once.
            dead_letters=DeadLetters(
                publisher, service=SERVICE, sent=store.part(lambda s: s.dead_letters)
            ),
            metrics=consumer_metrics,
        )
        # Ready: radars loaded, both consumers polling, the store and the broker answering.
        loaded = asyncio.Event()
        stall = settings.consumer_stall_seconds
        broker = KafkaBrokerProbe(
            common.bootstrap_servers, settings.broker_probe_timeout_seconds, client_id=SERVICE
        )
        checks: dict[str, Check] = {
            "radars": answer(lambda: "ok" if loaded.is_set() else "loading from the store"),
            "consumer papers": answer(lambda: papers.progress.describe(stall)),
            "consumer radars": answer(lambda: follower.progress.describe(stall)),
            "store": lambda: store_answer(store, settings.store_probe_timeout_seconds),
            "broker": lambda: broker_answer(broker),
        }
        live = settings.consumer_liveness_seconds
        liveness: dict[str, Check] = {
            "consumer papers": answer(lambda: papers.progress.liveness(live)),
            "consumer radars": answer(lambda: follower.progress.liveness(live)),
        }

        snapshot_path = common.data_dir / snapshot.FILE_NAME if settings.index_snapshot else None

        async def match() -> None:
            async with contextlib.AsyncExitStack() as sources:
                # Together: the consumer group is joined (seconds: the broker waits for
                # other members before it answers) while the radars load, not after.
                sources.push_async_callback(radars_source.stop)
                sources.push_async_callback(papers_source.stop)
                await asyncio.gather(
                    radars_source.start(),
                    papers_source.start(),
                    _load_radars(store.part(lambda s: s.radars), radars, metrics, snapshot_path),
                )
                await _load_corpus(pipeline)
                for radar_id in list(radars.radars):
                    backfills.want(radar_id)
                loaded.set()
                await run_until_stopped(
                    stop,
                    {
                        "papers": papers.run(stop),
                        "radars": follower.run(stop),
                        "backfill": backfills.run(stop),
                        "index": _index_queued_papers(
                            settings, store.part(lambda s: s.papers), stop
                        ),
                        "resync": _resync_radars(
                            store.part(lambda s: s.radars),
                            radars,
                            backfills,
                            metrics,
                            stop,
                            resync,
                            settings.radar_resync_seconds,
                        ),
                    },
                    grace_seconds=common.stop_grace_seconds,
                )

        log.info("matcher starting: /metrics, /healthz, /readyz on :%d", settings.web_port)
        await run_until_stopped(
            stop,
            {
                "web": serve_http(
                    health_app(
                        registry, checks, lambda: {"radars": len(radars)}, liveness=liveness
                    ),
                    host=settings.web_bind,
                    port=settings.web_port,
                    stop=stop,
                    access_log=False,
                ),
                "matcher": match(),
            },
            grace_seconds=common.stop_grace_seconds,
        )
        # After the loops, outside their grace: nothing changes the registry any more.
        if snapshot_path is not None and loaded.is_set():
            await _save_snapshot(pipeline, snapshot_path)
    log.info("matcher stopped")


async def serve_embed(
    settings: MatcherSettings,
    *,
    stop: asyncio.Event | None = None,
    registry: CollectorRegistry = REGISTRY,
    open_configured: Callable[[], Store] | None = None,
    embedder: Embedder | None = None,
) -> None:
    """Run the embedding role until ``stop`` is set (when not given: SIGINT/SIGTERM)."""
    common = settings.common
    async with contextlib.AsyncExitStack() as stack:
        stop = stack.enter_context(stop_on_signals(stop))
        metrics = MatcherMetrics(registry)
        consumer_metrics = ConsumerMetrics(registry)
        limit_blas_threads(settings.embedding.blas_threads)
        embedder = embedder or build_embedder(settings.embedding)
        model = embedder.model
        embedding = Embedding(embedder, metrics, attempts=settings.embed_attempts)
        log.info("embedding with %s", model.key)

        # One thread: the banks and the radar index are used there only.
        threads = StoreThreads(1, name="embedder-store")
        stack.callback(threads.close)
        store = threads.open(open_configured or (lambda: open_store(common, index_writer=False)))
        stack.callback(store.call, lambda s: s.close())
        radars = SemanticRadars(model, dtype=settings.semantic_dtype)
        pipeline = store.part(
            lambda s: SemanticPipeline(
                model=model, vectors=s.vectors, matches=s.matches, radars=radars
            )
        )

        publisher = KafkaPublisher(
            common.bootstrap_servers,
            client_id=f"{SERVICE}-embed",
            idempotence=common.producer_idempotence,
        )
        stack.push_async_callback(publisher.stop)
        await publisher.start()

        papers_source = GroupSource(
            common.bootstrap_servers,
            TopicName.PAPERS,
            group_id=settings.embed_group_id,
            client_id=f"{SERVICE}-embed",
            max_records=settings.embed_batch_size,
            wait_seconds=settings.embed_batch_within_seconds,
            session_timeout_ms=int(settings.session_timeout_seconds * 1000),
            heartbeat_interval_ms=int(settings.session_timeout_seconds * 1000 / 3),
            rebalance_timeout_ms=int(settings.rebalance_timeout_seconds * 1000),
        )
        radars_source = FollowSource(
            common.bootstrap_servers, TopicName.RADARS, client_id=f"{SERVICE}-embed-radars"
        )
        papers = ConsumerLoop(
            topic=TopicName.PAPERS,
            event=Paper,
            source=papers_source,
            handle=EmbedHandler(pipeline, embedding, publisher, metrics),
            dead_letters=DeadLetters(publisher, service=f"{SERVICE}-embed"),
            metrics=consumer_metrics,
        )
        follower = ConsumerLoop(
            topic=TopicName.RADARS,
            event=RadarChange,
            source=radars_source,
            handle=EmbedRadarHandler(pipeline, embedding, metrics),
            check=RadarHandler.check,
            # Both roles follow the radars topic and remember in the store the dead letters
            # they sent: each poison change is sent once, by whichever role meets it first.
            dead_letters=DeadLetters(
                publisher, service=SERVICE, sent=store.part(lambda s: s.dead_letters)
            ),
            metrics=consumer_metrics,
        )
        loaded = asyncio.Event()
        stall = settings.consumer_stall_seconds
        checks: dict[str, Check] = {
            "radars": answer(lambda: "ok" if loaded.is_set() else "loading from the store"),
            "consumer papers": answer(lambda: papers.progress.describe(stall)),
            "consumer radars": answer(lambda: follower.progress.describe(stall)),
            "store": lambda: store_answer(store, settings.store_probe_timeout_seconds),
        }

        async def match() -> None:
            def load(s: Store) -> tuple[list[str], list[tuple[str, str]]]:
                with building_long_lived():
                    return radars.load(s.radars.list_radars())

            held, problems = await store.run(load)
            for radar_id, error in problems:
                log.error("radar %s not loaded: %s", radar_id, error)
            await install(pipeline, embedding, held, metrics)
            log.info("loaded %d semantic radars from the store", len(held))
            loaded.set()
            async with contextlib.AsyncExitStack() as sources:
                sources.push_async_callback(radars_source.stop)
                await radars_source.start()
                sources.push_async_callback(papers_source.stop)
                await papers_source.start()
                await run_until_stopped(
                    stop,
                    {
                        "papers": papers.run(stop),
                        "radars": follower.run(stop),
                        "upkeep": _upkeep(settings, store, pipeline, model, metrics, stop),
                    },
                    grace_seconds=common.stop_grace_seconds,
                )

        log.info("embedder starting: /metrics, /healthz, /readyz on :%d", settings.web_port)
        await run_until_stopped(
            stop,
            {
                "web": serve_http(
                    health_app(registry, checks, lambda: {"radars": len(radars), "role": "embed"}),
                    host=settings.web_bind,
                    port=settings.web_port,
                    stop=stop,
                    access_log=False,
                ),
                "embedder": match(),
            },
            grace_seconds=common.stop_grace_seconds,
        )
    log.info("embedder stopped")


async def _upkeep(
    settings: MatcherSettings,
    store: AsyncStore[Store],
    pipeline: AsyncStore[SemanticPipeline],
    model: EmbeddingModel,
    metrics: MatcherMetrics,
    stop: asyncio.Event,
) -> None:
    """Count the papers still without vectors (the lag), and refresh the thresholds once
    each day (the first time on the day after the start: the radars' own are fresh)."""

    def lag(s: Store) -> int:
        return max(0, s.papers.count_papers() - s.vectors.count_vectors(model))

    refreshed = dt.datetime.now(dt.UTC).date()
    while not stop.is_set():
        metrics.papers_without_vectors.set(await store.run(lag))
        today = dt.datetime.now(dt.UTC).date()
        if today != refreshed:
            count = await pipeline.run(functools.partial(_refresh_thresholds, today=today))
            log.info("refreshed the thresholds of %d semantic radars", count)
            refreshed = today
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.embed_check_seconds)


def _refresh_thresholds(pipeline: SemanticPipeline, *, today: dt.date) -> int:
    return pipeline.radars.refresh_thresholds(pipeline.vectors, today)


async def _load_radars(
    stored: AsyncStore[RadarStore],
    registry: RadarRegistry,
    metrics: MatcherMetrics,
    snapshot_path: Path | None,
) -> None:
    """Every radar into the registry, on the store's thread (where the index is read while
    matching), before the first paper is consumed: from the index snapshot brought up to
    date when there is one (:mod:`academichub.matcher.snapshot`), else from the store."""

    def load(radars: RadarStore) -> tuple[snapshot.Loaded, int]:
        loaded = snapshot.load(radars, snapshot_path)
        registry.take(loaded.registry)
        return loaded, len(registry)

    started = time.perf_counter()
    loaded, held = await stored.run(load)
    for radar_id, error in loaded.problems:
        log.error("radar %s not loaded: %s", radar_id, error)
    metrics.radars.set(held)
    log.info(
        "loaded %d radars %s in %.1fs",
        held,
        "from the index snapshot and the store" if loaded.from_snapshot else "from the store",
        time.perf_counter() - started,
    )


async def _load_corpus(pipeline: AsyncStore[MatchingPipeline]) -> None:
    """The corpus snapshot to score with, before the first paper is consumed (on a store
    upgraded from a release without corpus totals, the one-time count of its papers runs
    here, not in the first batch)."""
    held = await pipeline.run(lambda p: p.snapshots.current)
    log.info("scoring with corpus snapshot %d (%d papers)", held.version, held.stats.n_docs)


async def _save_snapshot(pipeline: AsyncStore[MatchingPipeline], path: Path) -> None:
    """The registry's snapshot for the next start, written on the store's thread (where
    the registry changes) once nothing is consumed any more."""
    started = time.perf_counter()
    await pipeline.run(lambda p: snapshot.save(p.registry, path))
    log.info("radar index snapshot written to %s in %.1fs", path, time.perf_counter() - started)


async def _resync_radars(
    stored: AsyncStore[RadarStore],
    registry: RadarRegistry,
    backfills: Backfills,
    metrics: MatcherMetrics,
    stop: asyncio.Event,
    wake: asyncio.Event,
    every: float,
) -> None:
    """Make the registry hold the store's radars every ``every`` seconds, and whenever
    ``wake`` is set (the radars topic was lost), until ``stop`` is set. A radar installed
    so is backfilled as a change on the topic would have been (its mark in the store says
    whether its query was done already); a radar removed so has its matches retracted."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_either(stop, wake), every)
        if stop.is_set():
            return
        woken = wake.is_set()
        wake.clear()
        # On the store's thread, where the index is read while matching.
        report, held = await stored.run(
            lambda r: (registry.sync(r.radar_revisions(), r.get_radar), len(registry))
        )
        metrics.radars.set(held)
        metrics.radars_resynced.labels(change="installed").inc(len(report.installed))
        metrics.radars_resynced.labels(change="removed").inc(len(report.removed))
        for radar_id, error in report.problems:
            log.error("radar %s not loaded: %s", radar_id, error)
        for radar_id in report.installed:
            backfills.want(radar_id)
        for radar_id in report.removed:
            backfills.delete(radar_id)
        if report.installed or report.removed or woken:
            log.warning(
                "radars read again from the store%s: %d installed or updated, %d removed "
                "(changes the radars topic did not deliver); %d held",
                " (the radars topic was lost)" if woken else "",
                len(report.installed),
                len(report.removed),
                held,
            )


async def _either(first: asyncio.Event, second: asyncio.Event) -> None:
    waits = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


async def _index_queued_papers(
    settings: MatcherSettings, papers: AsyncStore[PaperStore], stop: asyncio.Event
) -> None:
    """The embedded index writer indexes what scaled-out replicas stored."""
    if not settings.index_writer:
        return
    while not stop.is_set():
        drained = await papers.run(lambda p: p.drain_index_queue(DRAIN_BATCH))
        if drained < DRAIN_BATCH:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), DRAIN_INTERVAL_SECONDS)
