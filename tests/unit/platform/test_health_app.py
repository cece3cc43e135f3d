"""/metrics, /healthz and /readyz of the services that serve no other HTTP: readiness is
every check's answer, and 503 names what is not ready."""

from __future__ import annotations

import asyncio
import threading

import pytest
from prometheus_client import CollectorRegistry, Counter
from starlette.testclient import TestClient

from academichub.broker.consumer import ConsumerProgress
from academichub.platform.health_app import Check, answer, health_app, readiness
from academichub.store.door import AsyncStore, StoreThreads
from academichub.store.memory import InMemoryStore
from academichub.store.probe import store_answer


async def test_ready_only_when_every_check_says_ok() -> None:
    now = [0.0]
    papers = ConsumerProgress(lambda: now[0])
    store = InMemoryStore()
    loaded = asyncio.Event()
    checks: dict[str, Check] = {
        "radars": answer(lambda: "ok" if loaded.is_set() else "loading from the store"),
        "consumer papers": answer(lambda: papers.describe(60)),
        "store": lambda: store_answer(AsyncStore.inline(store), 1),
    }
    found = await readiness(checks, lambda: {"radars": 0})
    assert not found.ready
    assert found.checks == {
        "radars": "loading from the store",
        "consumer papers": "not running",
        "store": "ok",
    }

    loaded.set()
    papers.started()
    papers.polled()
    found = await readiness(checks, lambda: {"radars": 3})
    assert found.ready
    assert found.body() == {
        "status": "ok",
        "checks": {"radars": "ok", "consumer papers": "ok", "store": "ok"},
        "radars": 3,
    }

    now[0] = 61.0  # the consumer stopped polling: a stuck batch
    store.close()
    found = await readiness(checks)
    assert found.checks["consumer papers"] == "no poll for 61s"
    assert found.checks["store"] == "store is closed"
    assert found.body()["status"] == "unavailable"


async def test_a_store_that_hangs_is_reported_within_the_probe_timeout() -> None:
    threads = StoreThreads(1, name="probe-test")
    release = threading.Event()

    class Hanging:
        def ping(self) -> None:
            release.wait(5)

    try:
        door = threads.open(Hanging)
        assert await store_answer(door, 0.05) == "no answer within 0.05s"
    finally:
        release.set()
        threads.close()


@pytest.mark.parametrize("ready", [True, False])
def test_the_app_serves_metrics_liveness_and_readiness(ready: bool) -> None:
    registry = CollectorRegistry()
    Counter("academichub_test_events_total", "Events", registry=registry).inc()
    checks: dict[str, Check] = {"store": answer(lambda: "ok" if ready else "gone")}
    with TestClient(health_app(registry, checks)) as client:
        assert "academichub_test_events_total 1.0" in client.get("/metrics").text
        assert client.get("/healthz").json() == {"status": "ok"}
        answered = client.get("/readyz")
    assert answered.status_code == (200 if ready else 503)
    assert answered.json()["checks"] == {"store": "ok" if ready else "gone"}
