"""Bounds on what one client can ask for: a rate per key, and the size of a request.

:class:`RateLimiter` is a token bucket per key (an API key's prefix, or an address for
clients without one), in memory: each gateway process keeps its own budget, so N
replicas allow N times the rate — set the limits for one replica.
:class:`RequestSizeLimit` refuses oversized URLs and bodies before any route reads them,
counting streamed bytes too, since a chunked body has no Content-Length to check.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from academichub.gateway.errors import refuse


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``per_minute`` requests per minute sustained, ``burst`` at once, per key."""

    # Past this many keys, buckets that have refilled completely are dropped: they hold
    # no state a fresh bucket would not, and an address scan must not grow memory forever.
    MAX_KEYS = 50_000

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """Spend one request of ``key``'s budget: None if allowed, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.MAX_KEYS:
                    self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(self._burst, now)
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return (1.0 - bucket.tokens) / self._rate

    def waiting(self, key: str) -> float | None:
        """Seconds until ``key`` may spend again, or None if it may now (spends nothing)."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                return None
            tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
            return None if tokens >= 1.0 else (1.0 - tokens) / self._rate

    def _forget_full(self, now: float) -> None:
        refill = self._burst / self._rate
        for key in [k for k, b in self._buckets.items() if now - b.updated >= refill]:
            del self._buckets[key]


def retry_after_header(seconds: float) -> dict[str, str]:
    # Retry-After takes whole seconds; rounding down would invite a retry that fails again.
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


class RequestSizeLimit:
    """Pure ASGI middleware: 414 for a long URL, 413 for a large body (declared or sent)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_url_bytes: int) -> None:
        self._app = app
        self._max_body = max_body_bytes
        self._max_url = max_url_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        url_bytes = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
        if url_bytes > self._max_url:
            message = f"the URL is {url_bytes} bytes; at most {self._max_url} are accepted"
            await refuse(scope, receive, send, 414, message, size=url_bytes, limit=self._max_url)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_body:
            await self._too_large(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max_body:
                    raise BodyTooLarge(self._max_body)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is over {self._max_body} bytes; send less"
        await refuse(scope, receive, send, 413, message, limit=self._max_body)


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: an HTTPException, so a route reading the body (FastAPI
    wraps other errors there as 400) lets it through to the JSON error handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over {limit} bytes; send less")
