"""The matcher's composition root: one process, wired here and nowhere else.

``serve`` opens the store on the matcher's one store thread (the index writer, the radar
index and the pipeline live there), starts the publisher, serves ``/metrics``,
``/healthz`` and ``/readyz`` on ``MATCHER_WEB_PORT``, loads every radar from the store,
then runs two consumer loops (:mod:`academichub.broker.consumer`) until SIGINT/SIGTERM:

* ``papers`` as a member of consumer group ``MATCHER_GROUP_ID`` (``academichub-matcher``;
  KEDA scales on its lag), batches of ``MATCHER_BATCH_SIZE`` papers or what arrived within
  ``MATCHER_BATCH_WITHIN_SECONDS``, committed after each batch is matched and its matches
  published (at-least-once);
* ``radars`` followed from the start of every partition, without a group, in every
  replica: changes made since the store was read arrive there (replays are harmless,
  the registry applies only newer revisions). Its poison is remembered in the store, so
  a restart does not dead-letter it again.

The embedded store's index writer also indexes what scaled-out replicas stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from prometheus_client import REGISTRY, CollectorRegistry

from academichub.broker.consumer import ConsumerLoop
from academichub.broker.dead_letters import DeadLetters
from academichub.broker.kafka_source import FollowSource, GroupSource
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import Paper, RadarChange, TopicName
from academichub.matcher.handlers import PaperHandler, RadarHandler
from academichub.matcher.metrics import MatcherMetrics
from academichub.matcher.pipeline import MatchingPipeline
from academichub.matcher.registry import RadarRegistry
from academichub.matcher.settings import MatcherSettings
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
) -> None:
    """Run the matcher until ``stop`` is set (when not given: SIGINT/SIGTERM)."""
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
            lambda s: MatchingPipeline(papers=s.papers, matches=s.matches, registry=radars)
        )

        publisher = KafkaPublisher(
            common.bootstrap_servers, client_id=SERVICE, idempotence=common.producer_idempotence
        )
        stack.push_async_callback(publisher.stop)
        await publisher.start()

        papers_source = GroupSource(
            common.bootstrap_servers,
            TopicName.PAPERS,
            group_id=settings.group_id,
            client_id=SERVICE,
            max_records=settings.batch_size,
            wait_seconds=settings.batch_within_seconds,
            session_timeout_ms=int(settings.session_timeout_seconds * 1000),
            heartbeat_interval_ms=int(settings.session_timeout_seconds * 1000 / 3),
            rebalance_timeout_ms=int(settings.rebalance_timeout_seconds * 1000),
        )
        radars_source = FollowSource(
            common.bootstrap_servers, TopicName.RADARS, client_id=f"{SERVICE}-radars"
        )
        papers = ConsumerLoop(
            topic=TopicName.PAPERS,
            event=Paper,
            source=papers_source,
            handle=PaperHandler(pipeline, publisher, metrics),
            dead_letters=DeadLetters(publisher, service=SERVICE),
            metrics=consumer_metrics,
        )
        radar_changes = RadarHandler(pipeline, metrics)
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
        # Ready: radars loaded, both consumers polling, the store answering.
        loaded = asyncio.Event()
        stall = settings.consumer_stall_seconds
        checks: dict[str, Check] = {
            "radars": answer(lambda: "ok" if loaded.is_set() else "loading from the store"),
            "consumer papers": answer(lambda: papers.progress.describe(stall)),
            "consumer radars": answer(lambda: follower.progress.describe(stall)),
            "store": lambda: store_answer(store, settings.store_probe_timeout_seconds),
        }

        async def match() -> None:
            await _load_radars(store.part(lambda s: s.radars), radars, metrics)
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
                        "index": _index_queued_papers(
                            settings, store.part(lambda s: s.papers), stop
                        ),
                    },
                    grace_seconds=common.stop_grace_seconds,
                )

        log.info("matcher starting: /metrics, /healthz, /readyz on :%d", settings.web_port)
        await run_until_stopped(
            stop,
            {
                "web": serve_http(
                    health_app(registry, checks, lambda: {"radars": len(radars)}),
                    host=settings.web_bind,
                    port=settings.web_port,
                    stop=stop,
                    access_log=False,
                ),
                "matcher": match(),
            },
            grace_seconds=common.stop_grace_seconds,
        )
    log.info("matcher stopped")


async def _load_radars(
    stored: AsyncStore[RadarStore], registry: RadarRegistry, metrics: MatcherMetrics
) -> None:
    """Every radar into the registry, on the store's thread (where the index is read while
    matching), before the first paper is consumed."""

    def load(radars: RadarStore) -> tuple[list[tuple[str, str]], int]:
        with building_long_lived():
            return registry.load(radars.list_radars()), len(registry)

    problems, held = await stored.run(load)
    for radar_id, error in problems:
        log.error("radar %s not loaded: %s", radar_id, error)
    metrics.radars.set(held)
    log.info("loaded %d radars from the store", held)


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
