"""The gateway's composition root: one process, wired here and nowhere else.

``main`` reads the settings, opens the configured store (embedded: as a reader, the
matcher is the index writer; or Elasticsearch) with its accounts and facet counter, builds
the app with the real publisher and broker probe, and serves it with uvicorn, which stops
gracefully on SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI
from prometheus_client import REGISTRY

from academichub.broker.publisher import KafkaPublisher
from academichub.gateway.app import Lifespan, create_app
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.probes import BrokerProbe, BrokerUnavailable, KafkaBrokerProbe
from academichub.gateway.process_heap import frozen_after_startup
from academichub.gateway.settings import GatewaySettings
from academichub.platform.errors import TransientError
from academichub.platform.settings import load_settings
from academichub.store.door import StoreThreads
from academichub.store.factory import open_store

log = logging.getLogger(__name__)
SERVICE = "gateway"
# uvicorn's own exit code when the application fails to start.
STARTUP_FAILURE = 3


def main() -> None:
    settings = load_settings(GatewaySettings)
    logging.basicConfig(
        level=settings.common.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    store = open_store(settings.common, index_writer=False)
    threads = StoreThreads(settings.store_threads, name="gateway-store")
    try:
        server = build_server(settings, store, GatewayMetrics(REGISTRY), threads)
        # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the
        # handler it found. With Python's defaults SIGTERM would kill the process before
        # the store is closed, and SIGINT would print a KeyboardInterrupt traceback.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _exit_after_graceful_shutdown)
        server.run()
        if not server.started:
            raise SystemExit(STARTUP_FAILURE)
    finally:
        threads.close()
        store.close()


def _exit_after_graceful_shutdown(signum: int, frame: FrameType | None) -> None:
    log.info("stopped by %s", signal.Signals(signum).name)
    raise SystemExit(0)


def build_server(
    settings: GatewaySettings,
    store: GatewayStore,
    metrics: GatewayMetrics,
    threads: StoreThreads,
) -> uvicorn.Server:
    """The uvicorn server for the real app: Kafka publisher and probe, the given store
    (its calls on ``threads``)."""
    servers = settings.common.bootstrap_servers
    publisher = KafkaPublisher(servers, client_id=f"academichub-{SERVICE}")
    probe = KafkaBrokerProbe(servers, settings.broker_probe_timeout_seconds)
    app = create_app(
        settings,
        store=store,
        publisher=publisher,
        broker_probe=probe,
        metrics=metrics,
        store_threads=threads,
        lifespan=frozen_after_startup(
            publisher_lifespan(publisher, probe, settings.broker_connect_within_seconds)
        ),
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="on",  # a publisher that cannot start must stop the process
        log_config=None,  # keep the logging main() configured
        server_header=False,
    )
    return uvicorn.Server(config)


def publisher_lifespan(
    publisher: KafkaPublisher, probe: BrokerProbe, connect_within: float
) -> Lifespan:
    """Start the producer before serving and stop it (flushing) after."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await wait_for_broker(probe, connect_within)
        await publisher.start()
        try:
            yield
        finally:
            await publisher.stop()

    return lifespan


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
