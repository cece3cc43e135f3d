"""How request handlers reach blocking ports without blocking the event loop.

Store and account methods are synchronous (see :mod:`academichub.store.port`) and the
adapters are safe to call from worker threads (the embedded ones keep one SQLite
connection per thread), so each call runs on AnyIO's worker threadpool.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Generic, TypeVar

import anyio.to_thread

from academichub.store.accounts import AccountStore
from academichub.store.port import Store

T = TypeVar("T")
R = TypeVar("R")


class Blocking(Generic[T]):
    """Runs ``fn(target)`` on a worker thread and returns its result."""

    def __init__(self, target: T) -> None:
        self._target = target

    async def run(self, fn: Callable[[T], R], *, abandon_on_cancel: bool = False) -> R:
        """``abandon_on_cancel``: on cancellation (a timeout) return at once and let the
        thread finish on its own; only for calls without effects, such as ``ping``.
        Otherwise cancellation waits for the call, so a write is never half-reported."""
        return await anyio.to_thread.run_sync(
            functools.partial(fn, self._target), abandon_on_cancel=abandon_on_cancel
        )


class StoreAccess(Blocking[Store]):
    pass


class AccountAccess(Blocking[AccountStore]):
    pass
