"""Per-host politeness: at most one request at a time, and a minimum gap between them.

arXiv's terms: one request every 3 seconds, one connection at a time, across all
machines. The clock and sleep are injected so the rule is tested without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from urllib.parse import urlparse


class HostPacer:
    def __init__(
        self,
        min_interval: Mapping[str, float],
        default_interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._min_interval = dict(min_interval)
        self._default = default_interval
        self._clock = clock
        self._sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._last_start: dict[str, float] = {}

    def interval_for(self, host: str) -> float:
        return self._min_interval.get(host, self._default)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold the host's single connection slot, after waiting out its minimum gap."""
        host = urlparse(url).hostname or ""
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            last = self._last_start.get(host)
            if last is not None:
                wait = last + self.interval_for(host) - self._clock()
                if wait > 0:
                    await self._sleep(wait)
            self._last_start[host] = self._clock()
            yield
