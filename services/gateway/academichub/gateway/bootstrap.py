"""The gateway's composition root: one process, wired here and nowhere else.

``main()`` reads :class:`~academichub.gateway.settings.GatewaySettings` and runs
:func:`serve`, the shape every service's composition root has
(:mod:`academichub.platform.lifecycle`): it opens the configured store (embedded: as a
reader, the matcher is the index writer; or Elasticsearch), whose calls run on
``GATEWAY_STORE_THREADS`` threads of the gateway's own; waits for the broker and starts the
publisher; then serves the app with uvicorn, and relays the radar changes waiting in the
store's outbox every ``GATEWAY_RADAR_RELAY_SECONDS`` (:mod:`academichub.gateway.announce`),
until SIGINT/SIGTERM, when requests under way are finished (within
``ACADEMICHUB_STOP_GRACE_SECONDS``) and everything is closed in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from prometheus_client import REGISTRY, CollectorRegistry

from academichub.broker.probe import BrokerProbe, BrokerUnavailable, KafkaBrokerProbe
from academichub.broker.publisher import KafkaPublisher, StartedPublisher
from academichub.embedding.port import Embedder
from academichub.embedding.settings import build_embedder
from academichub.gateway.app import create_app
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.process_heap import frozen_after_startup
from academichub.gateway.settings import GatewaySettings
from academichub.platform.blas import limit_blas_threads
from academichub.platform.errors import TransientError
from academichub.platform.http_server import serve_http
from academichub.platform.lifecycle import run_main, run_until_stopped, stop_on_signals
from academichub.store.door import StoreThreads
from academichub.store.factory import open_store
from academichub.store.port import Store

log = logging.getLogger(__name__)
SERVICE = "gateway"


def main() -> None:
    run_main(SERVICE, GatewaySettings, serve)


async def serve(
    settings: GatewaySettings,
    *,
    stop: asyncio.Event | None = None,
    registry: CollectorRegistry = REGISTRY,
    open_configured: Callable[[], Store] | None = None,
    publisher: StartedPublisher | None = None,
    broker_probe: BrokerProbe | None = None,
    embedder: Embedder | None = None,
) -> None:
    """Serve the gateway until ``stop`` is set (when not given: SIGINT/SIGTERM).
    ``publisher`` and ``broker_probe`` default to Kafka's at ``ACADEMICHUB_BOOTSTRAP_SERVERS``,
    ``embedder`` to ``EMBEDDING_*``'s (the packaged model unless configured)."""
    common = settings.common
    async with contextlib.AsyncExitStack() as stack:
        stop = stack.enter_context(stop_on_signals(stop))
        metrics = GatewayMetrics(registry)
        limit_blas_threads(settings.embedding.blas_threads)
        embedder = embedder or build_embedder(settings.embedding)

        # Opened here, called on the threads: a reader, usable from any thread.
        store = (open_configured or (lambda: open_store(common, index_writer=False)))()
        stack.callback(store.close)
        threads = StoreThreads(settings.store_threads, name="gateway-store")
        stack.callback(threads.close)

        probe = broker_probe or KafkaBrokerProbe(
            common.bootstrap_servers,
            settings.broker_probe_timeout_seconds,
            client_id="academichub-gateway",
        )
        await wait_for_broker(probe, settings.broker_connect_within_seconds)
        publisher = publisher or KafkaPublisher(
            common.bootstrap_servers,
            client_id=f"academichub-{SERVICE}",
            idempotence=common.producer_idempotence,
        )
        stack.push_async_callback(publisher.stop)
        await publisher.start()

        app = create_app(
            settings,
            store=store,
            publisher=publisher,
            broker_probe=probe,
            metrics=metrics,
            store_threads=threads,
            lifespan=frozen_after_startup(),
            embedder=embedder,
        )
        log.info("gateway serving on http://%s:%d", settings.host, settings.port)
        await run_until_stopped(
            stop,
            {
                "http": serve_http(
                    app,
                    host=settings.host,
                    port=settings.port,
                    stop=stop,
                    lifespan="on",
                    server_header=False,
                    # Requests under way may finish, within the grace period.
                    timeout_graceful_shutdown=common.stop_grace_seconds,
                ),
                "radar outbox": app.state.context.announcer.relay(
                    stop, interval=settings.radar_relay_seconds
                ),
            },
            grace_seconds=common.stop_grace_seconds,
        )
    log.info("gateway stopped")


async def wait_for_broker(probe: BrokerProbe, within: float) -> None:
    """Probe until the broker answers, backing off; give up after ``within`` seconds.

    The broker may start after the gateway (compose, ``make up``); a broker that never
    comes is a configuration problem, reported naming the variable to check.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    delay = 0.2
    while True:
        try:
            await probe.check()
            return
        except BrokerUnavailable as exc:
            if loop.time() + delay > deadline:
                raise TransientError(
                    f"{exc}; gave up after {within:g}s — is the broker running, and is "
                    "ACADEMICHUB_BOOTSTRAP_SERVERS right?"
                ) from exc
            log.warning("waiting for the broker: %s", exc)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)
