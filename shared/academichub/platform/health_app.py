"""A service's operations endpoints, for the processes that serve no other HTTP.

``/metrics`` (Prometheus text format), ``/healthz`` (liveness: 200 while the process
works, 503 naming what is stuck, so an orchestrator restarts it) and ``/readyz`` (it can do
its job now: 200, or 503 naming what is not ready), as a small Starlette app that
:func:`academichub.platform.http_server.serve_http` serves beside the service's loops. The
gateway has its own, inside its API.

Liveness checks are few and slow to fail on purpose (a consumer loop that has not polled
for minutes: a hung handler), since failing them restarts the process; readiness checks
fail fast and restarting does not cure them (the broker or the store away).

Readiness is a set of named checks, each answering "ok" or why not (the store does not
answer, a consumer has not polled for a minute, the radars are still loading); they run
together on each request, so a slow one costs its own timeout only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# A readiness check: "ok", or why the service is not ready.
Check = Callable[[], Awaitable[str]]


@dataclass(frozen=True)
class Readiness:
    """Whether the service can do its job, each check's answer ("ok" or why not), and
    anything else worth showing (counts)."""

    checks: Mapping[str, str]
    details: Mapping[str, object] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(answer == "ok" for answer in self.checks.values())

    def body(self) -> dict[str, object]:
        status = "ok" if self.ready else "unavailable"
        return {"status": status, "checks": dict(self.checks), **self.details}


async def readiness(
    checks: Mapping[str, Check], details: Callable[[], Mapping[str, object]] | None = None
) -> Readiness:
    """Run every check at once and gather the answers."""
    answers = await asyncio.gather(*(check() for check in checks.values()))
    return Readiness(dict(zip(checks, answers, strict=True)), details() if details else {})


def answer(describe: Callable[[], str]) -> Check:
    """A check from a synchronous description (a flag, a consumer's progress)."""

    async def check() -> str:
        return describe()

    return check


def health_app(
    registry: CollectorRegistry,
    checks: Mapping[str, Check],
    details: Callable[[], Mapping[str, object]] | None = None,
    *,
    liveness: Mapping[str, Check] | None = None,
) -> Starlette:
    """``checks`` answer ``/readyz``, ``liveness`` ``/healthz`` (none: always alive)."""

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    async def healthz(_: Request) -> Response:
        if not liveness:
            return JSONResponse({"status": "ok"})
        found = await readiness(liveness)
        return JSONResponse(found.body(), status_code=200 if found.ready else 503)

    async def readyz(_: Request) -> Response:
        found = await readiness(checks, details)
        return JSONResponse(found.body(), status_code=200 if found.ready else 503)

    return Starlette(
        routes=[
            Route("/metrics", metrics),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ]
    )
