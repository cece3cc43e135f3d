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
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from prometheus_client import CollectorRegistry

from academichub.arxiv_calendar import calendar_with
from academichub.broker.probe import BrokerProbe
from academichub.broker.publisher import EventPublisher
from academichub.embedding.port import Embedder
from academichub.gateway.announce import RadarAnnouncer
from academichub.gateway.deps import GatewayContext
from academichub.gateway.domain.owners import AccountOwners, OwnerPolicy
from academichub.gateway.errors import install_error_handlers
from academichub.gateway.gateway_store import GatewayStore
from academichub.gateway.headers import SecurityHeaders
from academichub.gateway.limits import RateLimiter, RequestSizeLimit
from academichub.gateway.metrics import GatewayMetrics, RequestMetricsMiddleware
from academichub.gateway.openapi_doc import install_openapi
from academichub.gateway.radar_service import RadarService
from academichub.gateway.routes import (
    account,
    delivery,
    docs,
    feeds,
    health,
    pages,
    papers,
    radar_pages,
    radars,
    sources,
)
from academichub.gateway.semantic import SemanticService
from academichub.gateway.settings import GatewaySettings
from academichub.store.door import AsyncStore, StoreThreads

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
    store: GatewayStore,
    publisher: EventPublisher,
    broker_probe: BrokerProbe,
    metrics: GatewayMetrics | CollectorRegistry | None = None,
    owners: OwnerPolicy | None = None,
    lifespan: Lifespan | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
    store_threads: StoreThreads | None = None,
    embedder: Embedder | None = None,
) -> FastAPI:
    """The gateway app.

    ``metrics``: a :class:`GatewayMetrics` (the process-wide one), a registry to create
    them on, or None for a private registry; prometheus refuses to register a metric
    twice on one registry, so each app built in a test needs its own.
    ``store``: the parts the gateway uses (:class:`GatewayStore`), accounts and the facet
    counter among them.
    ``owners``: who may see which radar; :class:`AccountOwners` by default.
    ``lifespan``: runs around serving, e.g. starting and stopping the Kafka producer.
    ``store_threads``: the threads store calls run on (the composition root owns and
    closes them); None calls them inline, for in-memory fakes only.
    ``embedder``: embeds radars' described interests and searches by meaning; None: those
    answer 503 (semantic radars without an interest, similar papers and rankings work).
    """
    if isinstance(metrics, CollectorRegistry):
        metrics = GatewayMetrics(metrics)
    elif metrics is None:
        metrics = GatewayMetrics.standalone()
    app = FastAPI(
        title="AcademicHub gateway",
        summary="Search papers, keep research radars, read their briefings.",
        description=API_DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan or _nothing_to_start,
        # Served by routes/docs.py from vendored files: the default pages load scripts
        # from a CDN and run inline script, which the Content-Security-Policy forbids.
        docs_url=None,
        redoc_url=None,
    )
    store_access = AsyncStore(store, store_threads)
    announcer = RadarAnnouncer(publisher, store_access, metrics, settings.publish_timeout_seconds)
    policy = owners or AccountOwners()
    semantic = SemanticService(store_access, embedder, clock)
    app.state.context = GatewayContext(
        settings=settings,
        store=store_access,
        accounts=store_access.part(lambda s: s.accounts),
        announcer=announcer,
        radars=RadarService(store_access, announcer, policy, clock, semantic),
        semantic=semantic,
        broker_probe=broker_probe,
        metrics=metrics,
        owners=policy,
        templates=_templates(),
        clock=clock,
        key_limiter=RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst),
        anonymous_limiter=RateLimiter(
            settings.anonymous_rate_limit_per_minute, settings.anonymous_rate_limit_per_minute
        ),
        auth_failure_limiter=RateLimiter(
            settings.auth_failures_per_minute, settings.auth_failures_per_minute
        ),
        calendar=calendar_with(settings.arxiv_extra_holidays),
    )
    install_error_handlers(app)
    install_openapi(app, settings)
    # Added inner to outer: size limits run before routes read bodies; the security
    # headers and the metrics see every response, refusals included.
    app.add_middleware(
        RequestSizeLimit,
        max_body_bytes=settings.max_body_bytes,
        max_url_bytes=settings.max_url_bytes,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    # What each path serves, for the Allow header of a 405 (errors.allowed_methods).
    app.state.route_methods = [
        (route.path_regex, set(route.methods or ()))
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    return app


# Every router the app serves, in matching order (tests walk these to find each endpoint).
ROUTERS: tuple[APIRouter, ...] = (
    pages.router,
    account.router,
    radar_pages.router,
    papers.router,
    radars.router,
    radars.briefings_router,
    delivery.api,
    delivery.pages,
    feeds.router,
    sources.router,
    docs.router,
    health.router,
)


API_DESCRIPTION = """
Papers (`/api/papers`) are public, like the home page; a key sent with them must be valid.
Every other `/api` call needs an API key — `Authorization: Bearer ahk_…` (an admin creates
one with `academichub users create`) — or the session cookie of a browser signed in at
`/signin`, which must also send the page's CSRF token in `X-CSRF-Token` on unsafe methods.
A radar's Atom feed takes its feed token as `?token=` instead.

You see and change only your own radars; another user's radar answers 404. Errors are
JSON: `error` (a stable code), `message` (what to do) and, for a bad input, `details`
naming each parameter or field (`position` for a query that does not parse). Requests
are rate-limited per key, per address without one, and per address for failed
authentication (429 with `Retry-After`); pages are capped by `limit` and continue with
`next_cursor`. [Back to AcademicHub](/)
"""
