"""The ingestor's composition root and its polling loop.

``main()`` reads :class:`~academichub.ingestor.settings.IngestorSettings` and runs
:func:`serve`, the shape every service's composition root has
(:mod:`academichub.platform.lifecycle`): the store on the ingestor's store thread (only
its ``ingest`` and ``papers`` parts are handed on), the publisher, the HTTP client, then
the polling loop, the reconciler of the sent outbox (papers the broker lost are published
again: :mod:`academichub.ingestor.reconcile`) and ``/metrics``, ``/healthz``, ``/readyz``
on ``INGESTOR_METRICS_PORT`` (0: none) until SIGINT/SIGTERM. Ready means the polling loop
runs and the store and the broker answer. A broker that is away fails a poll (retried
later) and a reconciler pass, never the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Callable

from prometheus_client import REGISTRY, CollectorRegistry

from academichub.arxiv_calendar import calendar_with
from academichub.broker.probe import KafkaBrokerProbe, broker_answer
from academichub.broker.publisher import EventPublisher, KafkaPublisher
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.enrich import CrossrefEnricher
from academichub.ingestor.fetch import Fetcher, NetworkUnreachable, ResponseRefused
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.poller import Poller, PollReport
from academichub.ingestor.reconcile import SentReconciler
from academichub.ingestor.replay import replay_feeds
from academichub.ingestor.settings import FeedConfig, IngestorSettings
from academichub.ingestor.wiring import (
    document_check,
    host_pacer,
    http_client,
    paper_publisher,
    polite_fetcher,
)
from academichub.platform.errors import TransientError
from academichub.platform.health_app import Check, answer, health_app
from academichub.platform.http_server import serve_http
from academichub.platform.lifecycle import run_main, run_until_stopped, stop_on_signals
from academichub.source_status import read_status
from academichub.store.door import AsyncStore, StoreThreads
from academichub.store.factory import open_store
from academichub.store.port import IngestStateStore, Store
from academichub.store.probe import store_answer

log = logging.getLogger(__name__)
SERVICE = "ingestor"
RETRY_AFTER_ERROR = dt.timedelta(seconds=60)


def main() -> None:
    run_main(SERVICE, IngestorSettings, serve)


async def serve(
    settings: IngestorSettings,
    *,
    stop: asyncio.Event | None = None,
    registry: CollectorRegistry = REGISTRY,
    open_configured: Callable[[], Store] | None = None,
) -> None:
    """Run the ingestor until ``stop`` is set (when not given: SIGINT/SIGTERM)."""
    async with contextlib.AsyncExitStack() as stack:
        stop = stack.enter_context(stop_on_signals(stop))
        metrics = IngestorMetrics(registry)

        threads = StoreThreads(1, name="ingestor-store")
        stack.callback(threads.close)
        store = threads.open(
            open_configured or (lambda: open_store(settings.common, index_writer=False))
        )
        stack.callback(store.call, lambda s: s.close())

        publisher = KafkaPublisher(
            settings.common.bootstrap_servers,
            client_id=SERVICE,
            idempotence=settings.common.producer_idempotence,
        )
        stack.push_async_callback(publisher.stop)
        await publisher.start()
        client = await stack.enter_async_context(http_client(settings))
        pacer = host_pacer(settings)
        polling = asyncio.Event()

        async def poll() -> None:
            polling.set()
            try:
                await run_forever(
                    settings,
                    store.part(lambda s: s.ingest),
                    publisher,
                    polite_fetcher(settings, client, pacer, metrics),
                    metrics,
                    stop,
                    pacer=pacer,
                )
            finally:
                polling.clear()

        reconciler = SentReconciler(
            state=store.part(lambda s: s.ingest),
            papers=store.part(lambda s: s.papers),
            publisher=publisher,
            metrics=metrics,
            check_after=dt.timedelta(seconds=settings.sent_check_after_seconds),
            retry_max=dt.timedelta(seconds=settings.sent_retry_max_seconds),
            keep=settings.sent_keep,
        )
        loops = {
            "poll": poll(),
            "sent outbox": reconciler.run(stop, interval=settings.reconcile_seconds),
        }
        if settings.metrics_port:
            broker = KafkaBrokerProbe(
                settings.common.bootstrap_servers,
                settings.broker_probe_timeout_seconds,
                client_id=SERVICE,
            )
            checks: dict[str, Check] = {
                "polling": answer(lambda: "ok" if polling.is_set() else "not polling"),
                "store": lambda: store_answer(store, settings.store_probe_timeout_seconds),
                "broker": lambda: broker_answer(broker),
            }
            loops["web"] = serve_http(
                health_app(registry, checks),
                host=settings.metrics_host,
                port=settings.metrics_port,
                stop=stop,
                access_log=False,
            )
        await run_until_stopped(stop, loops, grace_seconds=settings.common.stop_grace_seconds)
    log.info("ingestor stopped")


def build_poller(
    settings: IngestorSettings,
    state: AsyncStore[IngestStateStore],
    publisher: EventPublisher,
    fetcher: Fetcher,
    metrics: IngestorMetrics,
    pacer: HostPacer | None = None,
) -> Poller:
    pacer = pacer or host_pacer(settings)
    papers = paper_publisher(
        settings,
        state,
        publisher,
        metrics,
        enricher=CrossrefEnricher(fetcher, pacer, base_url=settings.crossref_api_url),
    )
    return Poller(
        papers=papers,
        fetcher=fetcher,
        pacer=pacer,
        state=state,
        publisher=publisher,
        formats=FORMATS,
        metrics=metrics,
        calendar=calendar_with(settings.arxiv_extra_holidays),
        default_interval=dt.timedelta(seconds=settings.poll_interval_seconds),
        arxiv_api_url=settings.arxiv_api_url,
        check=document_check,
    )


async def run_forever(
    settings: IngestorSettings,
    state: AsyncStore[IngestStateStore],
    publisher: EventPublisher,
    fetcher: Fetcher,
    metrics: IngestorMetrics,
    stop: asyncio.Event,
    *,
    pacer: HostPacer | None = None,
) -> None:
    """Poll each enabled source when it is due, until ``stop`` is set.

    Sources are due on their own schedules (:mod:`academichub.ingestor.domain.schedule`); after a
    restart each is first polled when its stored next poll time comes, so a restart does not
    send a burst of requests to every provider.
    """
    poller = build_poller(settings, state, publisher, fetcher, metrics, pacer)
    feeds = [f for f in settings.feeds if f.enabled]
    if settings.common.offline:
        log.info("offline: replaying the recorded feeds bundled with the project")
        feeds = replay_feeds()
    now = dt.datetime.now(dt.UTC)
    due = {feed.name: await _stored_due(state, feed, now) for feed in feeds}
    while not stop.is_set():
        now = dt.datetime.now(dt.UTC)
        ready = [feed for feed in feeds if due[feed.name] <= now]
        reports = await poll_round(poller, ready)
        for report in reports:
            due[report.feed] = report.next_poll_at or now + RETRY_AFTER_ERROR
        unreachable = [r for r in reports if r.outcome == "unreachable"]
        if reports and len(unreachable) == len(reports) and not settings.common.offline:
            log.warning("network unreachable: replaying the recorded feeds instead")
            await poll_round(poller, replay_feeds())
        wait = (min(due.values(), default=now + RETRY_AFTER_ERROR) - now).total_seconds()
        with contextlib.suppress(TimeoutError):
            # Jitter: many institutions polling at the same instant is what providers hate.
            await asyncio.wait_for(stop.wait(), max(1.0, wait) * random.uniform(1.0, 1.05))


async def _stored_due(
    state: AsyncStore[IngestStateStore], feed: FeedConfig, now: dt.datetime
) -> dt.datetime:
    cursor = await state.run(lambda s: s.get_cursor(feed.name))
    if not cursor or cursor.get("url") != feed.url:
        return now
    stored = read_status(cursor).next_poll_at
    return stored if stored is not None and stored > now else now


async def poll_round(poller: Poller, feeds: list[FeedConfig]) -> list[PollReport]:
    reports = []
    for feed in feeds:
        try:
            reports.append(await poller.poll(feed))
        except NetworkUnreachable as exc:
            log.warning("%s: %s", feed.name, exc)
            reports.append(await poller.record_failure(feed, "unreachable", str(exc)))
        except ResponseRefused as exc:
            # Too large, or an encoding refused: the reason goes to the source's status.
            reports.append(await poller.record_failure(feed, "refused", str(exc)))
        except TransientError as exc:
            log.warning("%s: %s (will retry)", feed.name, exc)
            reports.append(await poller.record_failure(feed, "error", str(exc)))
    return reports
