"""Liveness, readiness, metrics labelled by route template, and error mapping."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from academichub.broker.probe import FakeBrokerProbe
from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Radar
from academichub.gateway.app import create_app
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.settings import GatewaySettings
from academichub.store.memory import InMemoryRadars, InMemoryStore
from tests.unit.gateway.harness import Gateway, add_user, bearer


def _sample(metrics_text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 if absent)."""
    for line in metrics_text.splitlines():
        if not line.startswith(name + "{"):
            continue
        labels_part, value = line.rsplit(" ", 1)
        found = dict(re.findall(r'(\w+)="([^"]*)"', labels_part))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def test_healthz(gateway: Gateway) -> None:
    assert gateway.client.get("/healthz").json() == {"status": "ok"}


def test_readyz_when_all_answer(gateway: Gateway) -> None:
    response = gateway.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"store": "ok", "broker": "ok"}
    assert gateway.probe.calls == 1


def test_readyz_is_503_naming_the_broker(gateway: Gateway) -> None:
    gateway.probe.failure = "Kafka at 127.0.0.1:9092 did not answer within 2s"
    response = gateway.client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "not_ready"
    assert body["checks"]["store"] == "ok"
    assert "did not answer" in body["checks"]["broker"]
    assert "broker" in body["message"]


def test_readyz_is_503_naming_the_store(gateway: Gateway) -> None:
    gateway.store.close()
    response = gateway.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"store": "store is closed", "broker": "ok"}


def test_metrics_label_the_route_template_not_the_raw_path(gateway: Gateway) -> None:
    for _ in range(2):
        assert gateway.client.get("/api/radars/r_secret123").status_code == 404
    gateway.client.get("/api/papers/arxiv:hep-th/9901001")
    gateway.client.get("/no/such/page")
    text = gateway.client.get("/metrics").text
    assert "r_secret123" not in text
    assert "9901001" not in text
    assert "/no/such/page" not in text
    requests = "academichub_gateway_http_requests_total"
    assert _sample(text, requests, route="/api/radars/{radar_id}", method="GET", status="4xx") == 2
    assert _sample(text, requests, route="/api/papers/{paper_id}", method="GET", status="4xx") == 1
    assert _sample(text, requests, route="<unmatched>", method="GET", status="4xx") == 1
    assert (
        _sample(
            text,
            "academichub_gateway_http_request_duration_seconds_count",
            route="/api/radars/{radar_id}",
            method="GET",
            status="4xx",
        )
        == 2
    )
    assert "process_cpu_seconds_total" in text


def test_two_apps_in_one_process_do_not_collide(settings: GatewaySettings) -> None:
    for _ in range(2):
        app = create_app(
            settings,
            store=InMemoryStore(),
            publisher=RecordingPublisher(),
            broker_probe=FakeBrokerProbe(),
        )
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200


class _BrokenRadars(InMemoryRadars):
    def list_radars(self, owner: str | None = None) -> list[Radar]:
        raise RuntimeError("disk on fire")


def test_a_bug_is_a_json_500_and_counted(settings: GatewaySettings) -> None:
    metrics = GatewayMetrics.standalone()
    broken = InMemoryStore()
    broken.radars = _BrokenRadars()
    _, key = add_user(broken.accounts, "Ada")
    app = create_app(
        settings,
        store=broken,
        publisher=RecordingPublisher(),
        broker_probe=FakeBrokerProbe(),
        metrics=metrics,
    )
    with TestClient(app, raise_server_exceptions=False, headers=bearer(key)) as client:
        response = client.get("/api/radars")
        assert response.status_code == 500
        body = response.json()
        assert body["error"] == "internal"
        assert "disk on fire" not in body["message"]  # internals stay in the log
        text = client.get("/metrics").text
    errors = "academichub_gateway_http_request_errors_total"
    assert _sample(text, errors, route="/api/radars", method="GET", status="5xx") == 1


def test_unknown_path_and_wrong_method_are_json(gateway: Gateway) -> None:
    missing = gateway.client.get("/api/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    wrong = gateway.client.patch("/api/radars")
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method_not_allowed"
    # Allow lists every method of the path, not only the first route's (GET here).
    assert wrong.headers["Allow"] == "GET, HEAD, POST"
    one = gateway.client.patch("/api/radars/r_x")
    assert one.headers["Allow"] == "DELETE, GET, HEAD, PUT"
    token = gateway.client.get("/api/radars/r_x/feed-token")
    assert token.headers["Allow"] == "DELETE, POST"


def test_openapi_documents_the_bearer_key(gateway: Gateway) -> None:
    spec = gateway.client_for(None).get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert {"get", "post"} <= set(spec["paths"]["/api/radars"])
    assert "/api/sources" in spec["paths"]
    assert "/api/radars/{radar_id}/feed.atom" in spec["paths"]
