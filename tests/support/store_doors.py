"""A real store behind the door its service would use: opened on a thread of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

from academichub.store.door import AsyncStore, StoreThreads


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


@contextmanager
def on_its_thread(open_store: Callable[[], C], threads: int = 1) -> Iterator[AsyncStore[C]]:
    """The store ``open_store`` builds, on ``threads`` threads; closed (then the threads)
    on exit."""
    owned = StoreThreads(threads, name="test-store")
    try:
        door = owned.open(open_store)
        try:
            yield door
        finally:
            door.call(lambda store: store.close())
    finally:
        owned.close()
