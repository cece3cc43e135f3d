"""How request handlers reach the store without blocking the event loop.

Store methods are synchronous (see :mod:`academichub.store.port`) and the adapters are
safe to call from worker threads (the embedded store keeps one SQLite connection per
thread), so each call runs on AnyIO's worker threadpool.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread

from academichub.store.port import Store

R = TypeVar("R")


class StoreAccess:
    """Runs ``fn(store)`` on a worker thread and returns its result."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def run(self, fn: Callable[[Store], R], *, abandon_on_cancel: bool = False) -> R:
        """``abandon_on_cancel``: on cancellation (a timeout) return at once and let the
        thread finish on its own; only for calls without effects, such as ``ping``.
        Otherwise cancellation waits for the call, so a write is never half-reported."""
        return await anyio.to_thread.run_sync(
            functools.partial(fn, self._store), abandon_on_cancel=abandon_on_cancel
        )
