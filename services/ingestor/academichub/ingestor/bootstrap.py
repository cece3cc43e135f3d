"""The ingestor's composition root and its polling loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal

import httpx
from prometheus_client import REGISTRY, start_http_server

from academichub.broker.publisher import EventPublisher, KafkaPublisher
from academichub.ingestor.fetch import HttpFetcher, NetworkUnreachable
from academichub.ingestor.formats import FORMATS
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.politeness import HostPacer
from academichub.ingestor.poller import Poller, PollReport
from academichub.ingestor.replay import replay_feeds
from academichub.ingestor.settings import FeedConfig, IngestorSettings
from academichub.platform.errors import TransientError
from academichub.platform.settings import load_settings
from academichub.store.factory import open_store
from academichub.store.port import IngestStateStore

log = logging.getLogger(__name__)
RETRY_AFTER_ERROR_SECONDS = 60.0


def main() -> None:
    settings = load_settings(IngestorSettings)
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.metrics_host, registry=REGISTRY)
    asyncio.run(_serve(settings, IngestorMetrics(REGISTRY)))


async def _serve(settings: IngestorSettings, metrics: IngestorMetrics) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    store = open_store(settings.common, index_writer=False)
    publisher = KafkaPublisher(settings.common.bootstrap_servers, client_id="ingestor")
    await publisher.start()
    timeout = httpx.Timeout(settings.read_timeout_seconds, connect=settings.connect_timeout_seconds)
    async with httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent},
        timeout=timeout,
        follow_redirects=True,
    ) as client:
        try:
            await run_forever(
                settings,
                store,
                publisher,
                HttpFetcher(client, max_bytes=settings.max_response_bytes),
                metrics,
                stop,
            )
        finally:
            await publisher.stop()
            store.close()


async def run_forever(
    settings: IngestorSettings,
    state: IngestStateStore,
    publisher: EventPublisher,
    fetcher: HttpFetcher,
    metrics: IngestorMetrics,
    stop: asyncio.Event,
) -> None:
    pacer = HostPacer(settings.host_min_interval_seconds, settings.default_min_interval_seconds)
    poller = Poller(
        fetcher=fetcher,
        pacer=pacer,
        state=state,
        publisher=publisher,
        formats=FORMATS,
        metrics=metrics,
    )
    feeds = [f for f in settings.feeds if f.enabled]
    if settings.common.offline:
        log.info("offline: replaying the recorded feeds bundled with the project")
        feeds = replay_feeds()
    while not stop.is_set():
        reports = await poll_round(poller, feeds, metrics)
        unreachable = [r for r in reports if r.outcome == "unreachable"]
        if feeds and len(unreachable) == len(reports) and not settings.common.offline:
            log.warning("network unreachable: replaying the recorded feeds instead")
            await poll_round(poller, replay_feeds(), metrics)
        failed = any(r.outcome not in ("ok", "not_modified") for r in reports)
        delay = (
            min(settings.poll_interval_seconds, RETRY_AFTER_ERROR_SECONDS)
            if failed
            else (settings.poll_interval_seconds)
        )
        with contextlib.suppress(TimeoutError):
            # Jitter: many institutions polling at the same instant is what providers hate.
            await asyncio.wait_for(stop.wait(), delay * random.uniform(0.95, 1.05))


async def poll_round(
    poller: Poller, feeds: list[FeedConfig], metrics: IngestorMetrics
) -> list[PollReport]:
    reports = []
    for feed in feeds:
        try:
            reports.append(await poller.poll(feed))
        except NetworkUnreachable as exc:
            log.warning("%s: %s", feed.name, exc)
            metrics.polls.labels(source=feed.name, outcome="unreachable").inc()
            reports.append(PollReport(feed.name, "unreachable", message=str(exc)))
        except TransientError as exc:
            log.warning("%s: %s (will retry)", feed.name, exc)
            metrics.polls.labels(source=feed.name, outcome="error").inc()
            reports.append(PollReport(feed.name, "error", message=str(exc)))
    return reports
