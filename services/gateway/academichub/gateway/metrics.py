"""The gateway's Prometheus metrics, created once per process by the composition root.

HTTP metrics are labelled by the route *template* (``/api/radars/{radar_id}``), never
the raw path: raw paths carry ids, which would make one time series per radar or paper.
"""

from __future__ import annotations

import re
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GatewayMetrics:
    """Every gateway metric, registered on ``registry``.

    The composition root passes the process-wide default registry (which already
    carries the process, platform and GC collectors). Tests call :meth:`standalone`
    so that each app gets its own registry and no metric is registered twice.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        labels = ["route", "method", "status"]
        self.requests = Counter(
            "academichub_gateway_http_requests_total",
            "HTTP requests by route template, method and status class (2xx, 4xx, ...)",
            labels,
            registry=registry,
        )
        self.errors = Counter(
            "academichub_gateway_http_request_errors_total",
            "HTTP requests that failed on the server side (5xx or an unhandled exception)",
            labels,
            registry=registry,
        )
        self.latency = Histogram(
            "academichub_gateway_http_request_duration_seconds",
            "Time from request start to the end of the response body",
            labels,
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.radar_changes = Counter(
            "academichub_gateway_radar_changes_published_total",
            "Radar changes published to the radars topic, by kind and outcome (published: "
            "by the request; relayed: from the outbox later; failed: not acknowledged, "
            "left in the outbox)",
            ["kind", "outcome"],
            registry=registry,
        )
        self.unannounced = Gauge(
            "academichub_gateway_unannounced_radar_changes",
            "Radar changes stored but not yet on the radars topic, as the last relay pass "
            "found them (at most one pass's batch)",
            registry=registry,
        )

    @classmethod
    def standalone(cls) -> GatewayMetrics:
        """Metrics on a fresh registry that also carries the process collectors."""
        registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        return cls(registry)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CONVERTER = re.compile(r"\{(\w+):\w+\}")
UNMATCHED_ROUTE = "<unmatched>"


def route_template(scope: Scope) -> str:
    """The template of the route that handled the request, e.g. ``/api/radars/{radar_id}``.

    Starlette records the matched route in the scope; a request no route matched gets
    one shared label, so scanners probing random paths cannot mint new time series.
    """
    path = getattr(scope.get("route"), "path", None)
    if not isinstance(path, str):
        return UNMATCHED_ROUTE
    return _CONVERTER.sub(r"{\1}", path)  # "{paper_id:path}" reads as "{paper_id}"


class RequestMetricsMiddleware:
    """Pure ASGI middleware (no response buffering) that counts and times every request."""

    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app raises, the outer error middleware answers 500

        async def send_and_record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, send_and_record_status)
        except Exception:
            status = 500
            raise
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            labels = (route_template(scope), method, f"{status // 100}xx")
            self._metrics.requests.labels(*labels).inc()
            self._metrics.latency.labels(*labels).observe(time.perf_counter() - started)
            if status >= 500:
                self._metrics.errors.labels(*labels).inc()
