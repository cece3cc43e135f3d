"""``create_app``: the FastAPI application, built from collaborators it is given.

Nothing is opened here: the composition root (:mod:`.bootstrap`) or a test passes the
store, publisher, broker probe and metrics, and an optional lifespan that starts and
stops whatever needs it (the Kafka producer in production).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from prometheus_client import CollectorRegistry

from academichub.broker.publisher import EventPublisher
from academichub.gateway.announce import RadarAnnouncer
from academichub.gateway.deps import GatewayContext
from academichub.gateway.errors import install_error_handlers
from academichub.gateway.metrics import GatewayMetrics, RequestMetricsMiddleware
from academichub.gateway.owners import LocalOwners, OwnerPolicy
from academichub.gateway.probes import BrokerProbe
from academichub.gateway.routes import health, pages, papers, radars
from academichub.gateway.settings import GatewaySettings
from academichub.gateway.store_access import StoreAccess
from academichub.store.port import Store

PACKAGE_DIR = Path(__file__).parent
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@asynccontextmanager
async def _nothing_to_start(_: FastAPI) -> AsyncIterator[None]:
    yield


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"),
        # Every template is HTML and renders feed text: escape everything, always.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return Jinja2Templates(env=env)


def create_app(
    settings: GatewaySettings,
    *,
    store: Store,
    publisher: EventPublisher,
    broker_probe: BrokerProbe,
    metrics: GatewayMetrics | CollectorRegistry | None = None,
    owners: OwnerPolicy | None = None,
    lifespan: Lifespan | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
) -> FastAPI:
    """The gateway app.

    ``metrics``: a :class:`GatewayMetrics` (the process-wide one), a registry to create
    them on, or None for a private registry; prometheus refuses to register a metric
    twice on one registry, so each app built in a test needs its own.
    ``owners``: who owns radars; :class:`LocalOwners` until accounts exist.
    ``lifespan``: runs around serving, e.g. starting and stopping the Kafka producer.
    """
    if isinstance(metrics, CollectorRegistry):
        metrics = GatewayMetrics(metrics)
    elif metrics is None:
        metrics = GatewayMetrics.standalone()
    app = FastAPI(
        title="AcademicHub gateway",
        summary="Search papers, keep research radars, read their briefings.",
        version="0.1.0",
        lifespan=lifespan or _nothing_to_start,
    )
    app.state.context = GatewayContext(
        settings=settings,
        store=StoreAccess(store),
        announcer=RadarAnnouncer(publisher, metrics, settings.publish_timeout_seconds),
        broker_probe=broker_probe,
        metrics=metrics,
        owners=owners or LocalOwners(settings.default_owner),
        templates=_templates(),
        clock=clock,
    )
    install_error_handlers(app)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    for module in (pages, papers, radars, health):
        app.include_router(module.router)
    return app
