"""The faust edge of the matcher: the papers agent, the radar follower, the web pages.

Tansu limits (ARCHITECTURE.md) shape the configuration: at-least-once processing,
no faust tables (radars live in the store and the registry), no leader topic, the
producer with ``acks=all`` and no idempotence, and a web port per replica.
"""

from __future__ import annotations

import logging
import time
from typing import Any, cast

import faust
import mode
from prometheus_client import generate_latest

from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import RadarChange, TopicName
from academichub.matcher.consume import RawEvent, decode_papers
from academichub.matcher.metrics import MatcherMetrics
from academichub.matcher.pipeline import BatchOutcome, MatchingPipeline
from academichub.matcher.radar_feed import follow_radars
from academichub.matcher.registry import RadarRegistry
from academichub.matcher.settings import MatcherSettings
from academichub.store.door import AsyncStore
from academichub.store.port import Store

log = logging.getLogger(__name__)
SERVICE = "matcher"
DRAIN_BATCH = 500
DRAIN_INTERVAL_SECONDS = 0.5


def faust_broker_url(bootstrap_servers: str) -> str:
    return ";".join(f"kafka://{host.strip()}" for host in bootstrap_servers.split(","))


class MatcherRuntime(mode.Service):
    """What the agent needs besides faust: the publisher and the radar follower.

    Started by the worker before the app, so the publisher is up when papers arrive.
    """

    def __init__(
        self,
        settings: MatcherSettings,
        store: AsyncStore[Store],
        registry: RadarRegistry,
        metrics: MatcherMetrics,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.store = store
        self.registry = registry
        self.metrics = metrics
        self.publisher = KafkaPublisher(settings.common.bootstrap_servers, client_id=SERVICE)
        self.radars_ready = False

    async def on_start(self) -> None:
        await self.publisher.start()

    async def on_stop(self) -> None:
        await self.publisher.stop()

    @mode.Service.task
    async def _follow_radars(self) -> None:
        await follow_radars(
            self.settings.common.bootstrap_servers,
            self.apply_radar_change,
            self.publisher,
            service=SERVICE,
        )

    @mode.Service.task
    async def _index_queued_papers(self) -> None:
        """The index writer indexes what scaled-out replicas stored (embedded store)."""
        if not self.settings.index_writer:
            return
        while not self.should_stop:
            drained = await self.store.run(lambda s: s.drain_index_queue(DRAIN_BATCH))
            if drained < DRAIN_BATCH:
                await self.sleep(DRAIN_INTERVAL_SECONDS)

    async def apply_radar_change(self, change: RadarChange) -> bool:
        # On the store thread: the index is read there while matching, never concurrently.
        applied = await self.store.run(lambda _: self.registry.apply(change))
        if applied:
            self.metrics.radar_changes.labels(kind=change.kind).inc()
            self.metrics.radars.set(len(self.registry))
        return applied


def build_app(
    settings: MatcherSettings,
    runtime: MatcherRuntime,
    pipeline: AsyncStore[MatchingPipeline],
) -> faust.App:
    app = faust.App(
        # faust uses the app id as the Kafka consumer group (KEDA scales on its lag).
        "academichub-matcher",
        broker=faust_broker_url(settings.common.bootstrap_servers),
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        topic_disable_leader=True,
        topic_allow_declare=False,
        autodiscover=False,
        store="memory://",
        web_bind=settings.web_bind,
        web_host="127.0.0.1",
        web_port=settings.web_port,
        web_in_thread=False,
        broker_session_timeout=settings.session_timeout_seconds,
        broker_rebalance_timeout=settings.rebalance_timeout_seconds,
        broker_heartbeat_interval=settings.session_timeout_seconds / 3,
    )
    papers = app.topic(
        str(TopicName.PAPERS),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )
    metrics = runtime.metrics

    @app.agent(papers, concurrency=1)
    async def match_papers(stream: faust.StreamT[bytes]) -> None:
        # take_events is on the concrete Stream, not the StreamT protocol.
        batches = cast("faust.Stream[bytes]", stream).take_events(
            settings.batch_size, within=settings.batch_within_seconds
        )
        async for events in batches:
            raw = [
                RawEvent(e.message.partition, e.message.offset, e.message.key, e.message.value)
                for e in events
            ]
            await handle_batch(raw, runtime, pipeline, metrics)

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        # aiohttp refuses a charset inside content_type; the exposition format is ASCII anyway.
        return web.bytes(generate_latest(metrics.registry), content_type="text/plain")

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        try:
            await runtime.store.run(lambda s: s.ping())
        except Exception as exc:  # readiness reports any store failure, it does not handle it
            return web.json({"status": "unavailable", "store": str(exc)}, status=503)
        return web.json({"status": "ok", "radars": len(runtime.registry)})

    return app


async def handle_batch(
    raw: list[RawEvent],
    runtime: MatcherRuntime,
    pipeline: AsyncStore[MatchingPipeline],
    metrics: MatcherMetrics,
) -> None:
    papers, poisoned = await decode_papers(raw, runtime.publisher, service=SERVICE)
    if poisoned:
        metrics.poison.labels(topic=str(TopicName.PAPERS)).inc(poisoned)
    if not papers:
        return
    started = time.perf_counter()
    outcome: BatchOutcome = await pipeline.run(lambda p: p.process(papers))
    for write in outcome.writes:
        metrics.papers.labels(outcome=write.value).inc()
    to_emit = outcome.to_emit
    if to_emit:
        # Publish first, then remember it was published: a crash in between re-emits
        # on replay (at-least-once); the briefer's queue ignores the duplicate.
        await runtime.publisher.publish_many(TopicName.MATCHES, [(m.radar_id, m) for m in to_emit])
        await pipeline.run(lambda p: p.emitted(to_emit))
        metrics.matches.inc(len(to_emit))
    metrics.batch_seconds.observe(time.perf_counter() - started)
