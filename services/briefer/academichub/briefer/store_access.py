"""What the briefer needs of the store, and how its async code reaches it.

The store port's methods are synchronous; the embedded store must be called on its own
thread (:class:`academichub.store.dedicated_thread.DedicatedThread`), the in-memory one
may be called directly. :class:`StoreAccess` hides which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from academichub.store.port import (
    BriefingDeliveryStore,
    BriefingStore,
    PaperStore,
    RadarStore,
    SummaryStore,
    TokenUsageStore,
)

R = TypeVar("R")


class BrieferStore(
    PaperStore,
    RadarStore,
    BriefingStore,
    SummaryStore,
    BriefingDeliveryStore,
    TokenUsageStore,
    Protocol,
):
    """What the briefer needs of the store."""


class StoreAccess(Protocol):
    """Runs a call against the store where it may run."""

    async def run(self, fn: Callable[[BrieferStore], R]) -> R: ...


@dataclass
class DirectStoreAccess:
    """Calls the store on the event loop: for the in-memory store in tests and the CLI."""

    store: BrieferStore

    async def run(self, fn: Callable[[BrieferStore], R]) -> R:
        return fn(self.store)
