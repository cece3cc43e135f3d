"""Run every call to a blocking resource on one dedicated thread.

The embedded store's tantivy writer and SQLite connection are not to be shared across
threads, and its calls must not block an event loop; one worker thread gives both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class DedicatedThread(Generic[T]):
    """Owns ``resource`` (built on the thread by ``factory``) and runs calls on it there."""

    def __init__(self, factory: Callable[[], T], name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._resource: T = self._pool.submit(factory).result()

    async def run(self, fn: Callable[[T], R]) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, fn, self._resource)

    def call(self, fn: Callable[[T], R]) -> R:
        """Blocking variant, for start-up and shutdown outside the event loop."""
        return self._pool.submit(fn, self._resource).result()

    def shutdown(self, close: Callable[[T], None] | None = None) -> None:
        if close is not None:
            self._pool.submit(close, self._resource).result()
        self._pool.shutdown(wait=True)
