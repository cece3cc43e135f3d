"""Liveness, readiness and Prometheus metrics.

``/healthz`` only says the process serves HTTP (restart me if not); ``/readyz`` says
whether it can do its job now (store answers, broker answers), so an orchestrator
stops sending traffic without restarting a gateway whose broker is away.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from academichub.gateway.deps import ContextDep
from academichub.gateway.errors import NotReady
from academichub.gateway.openapi_doc import errors
from academichub.store.probe import store_answer

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _outcome(check: Awaitable[None]) -> str | None:
    """None if the check passed, else why it failed."""
    try:
        await check
    # A readiness probe reports every failure instead of raising: what failed is the answer.
    except Exception as exc:
        return str(exc) or type(exc).__name__
    return None


@router.get("/readyz", summary="The store and the broker answer", responses=errors(503))
async def readyz(context: ContextDep) -> dict[str, object]:
    settings = context.settings
    store, broker_failure = await asyncio.gather(
        store_answer(context.store, settings.store_probe_timeout_seconds),
        _outcome(context.broker_probe.check()),
    )
    store_failure = None if store == "ok" else store
    failures = {
        name: reason
        for name, reason in (("store", store_failure), ("broker", broker_failure))
        if reason is not None
    }
    checks = {name: failures.get(name, "ok") for name in ("store", "broker")}
    if failures:
        message = "not ready: " + "; ".join(f"{n}: {r}" for n, r in failures.items())
        raise NotReady(message, status="unavailable", checks=checks)
    return {"status": "ready", "checks": checks}


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(context: ContextDep) -> Response:
    return Response(generate_latest(context.metrics.registry), media_type=CONTENT_TYPE_LATEST)
