"""The one door to the store from async code.

The store's ports are synchronous: the embedded store's calls are short, and its tantivy
writer and SQLite connections must not be used by two threads at once; the Elasticsearch
adapter uses the synchronous client. Async code (every service's event loop) must never
call them directly, or one slow query stalls every task of the process. So each process
reaches its store through an :class:`AsyncStore`:

* a store opened with :meth:`StoreThreads.open` runs every call on threads the door owns:
  one per process (the matcher's index writer and radar index, the briefer, the ingestor),
  or a small pool where concurrent requests should not queue behind each other (the
  gateway, whose embedded reader keeps one SQLite connection per thread);
* a fake (the in-memory store in tests and the command line's ``brief``/``match``) is
  called inline with :meth:`AsyncStore.inline`: it does no I/O;
* :meth:`AsyncStore.part` is a door to one part of what the door holds (a store part, or a
  component built around parts, such as the matcher's pipeline), on the same threads;
* :meth:`AsyncStore.call` is the blocking variant, for start-up and shutdown outside a
  running loop (loading radars before consuming, closing the store after).

Cancellation: a call on a thread cannot be interrupted. By default a cancelled caller
waits for the call to end before the cancellation propagates, so a write is never
reported as not done while it is still being done. ``abandon_on_cancel=True`` returns at
once and lets the thread finish on its own: only for calls without effects (a readiness
probe's ``ping`` bounded by a timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
U = TypeVar("U")
R = TypeVar("R")

log = logging.getLogger(__name__)


class StoreThreads:
    """The threads a process runs its store calls on; :meth:`close` joins them."""

    def __init__(self, count: int = 1, *, name: str = "store") -> None:
        if count < 1:
            raise ValueError(f"a store needs at least one thread, not {count}")
        self.count = count
        self._pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix=name)
        self._closed = False
        self._lock = threading.Lock()

    def open(self, factory: Callable[[], T]) -> AsyncStore[T]:
        """Build ``factory()`` on one of these threads (the embedded store opens its writer
        and first connection there) and return the door to it. Blocking: for start-up."""
        return AsyncStore(self._pool.submit(factory).result(), self)

    def close(self) -> None:
        """Wait for the calls under way and stop the threads (idempotent). Close the store
        itself first, through its door."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._pool.shutdown(wait=True)

    def _executor(self) -> ThreadPoolExecutor:
        if self._closed:
            raise RuntimeError("the store's threads are closed")
        return self._pool


class AsyncStore(Generic[T_co]):
    """Runs calls against ``target`` where they may run: on ``threads``, or inline when
    ``threads`` is None (a fake without I/O)."""

    def __init__(self, target: T_co, threads: StoreThreads | None) -> None:
        self._target = target
        self._threads = threads

    @staticmethod
    def inline(target: T) -> AsyncStore[T]:
        """A door that calls ``target`` on the caller's thread: for in-memory fakes only."""
        return AsyncStore(target, None)

    @property
    def inline_calls(self) -> bool:
        return self._threads is None

    def part(self, pick: Callable[[T_co], U]) -> AsyncStore[U]:
        """A door to ``pick(target)`` (a part of the store, or something built on its
        parts) whose calls run on this door's threads."""
        return AsyncStore(pick(self._target), self._threads)

    async def run(self, fn: Callable[[T_co], R], *, abandon_on_cancel: bool = False) -> R:
        """``fn(target)`` on the store's threads, awaited without blocking the loop."""
        if self._threads is None:
            return fn(self._target)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._threads._executor(), fn, self._target)
        if abandon_on_cancel:
            return await future
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if not future.done():
                await _finished(future)
            raise

    def call(self, fn: Callable[[T_co], R]) -> R:
        """Blocking ``fn(target)`` on the store's threads: for start-up and shutdown,
        never from a coroutine."""
        if self._threads is None:
            return fn(self._target)
        return self._threads._executor().submit(fn, self._target).result()


async def _finished(future: asyncio.Future[R]) -> None:
    """Wait until ``future`` is done, whatever cancellations arrive meanwhile (the caller
    re-raises the first one); a failure of the call is logged, as nobody awaits it now."""
    while not future.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait([future])
    if not future.cancelled() and (error := future.exception()) is not None:
        log.error("a store call failed after its caller was cancelled", exc_info=error)
