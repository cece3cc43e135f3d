"""The in-memory event source: the consumer loop's fake for unit tests.

Batches are handed out in the order given; committing records the next offset of each
partition, which tests assert on (what a restarted consumer would start from).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from academichub.broker.records import RawEvent


@dataclass
class InMemorySource:
    batches: deque[list[RawEvent]] = field(default_factory=deque)
    committed: dict[int, int] = field(default_factory=dict)  # partition -> next offset
    commits: int = 0
    polls: int = 0
    # Set once every batch was handed out and committed (a test's run() then returns).
    drained: asyncio.Event | None = None

    @classmethod
    def of(
        cls, *batches: Iterable[RawEvent], drained: asyncio.Event | None = None
    ) -> InMemorySource:
        return cls(deque(list(b) for b in batches), drained=drained)

    def add(self, batch: Iterable[RawEvent]) -> None:
        self.batches.append(list(batch))

    async def poll(self) -> list[RawEvent]:
        self.polls += 1
        if self.batches:
            return self.batches.popleft()
        if self.drained is not None:
            self.drained.set()
        await asyncio.sleep(0)  # an empty poll waits, as a broker's would
        return []

    async def commit(self, events: Sequence[RawEvent]) -> None:
        self.commits += 1
        for event in events:
            self.committed[event.partition] = max(
                self.committed.get(event.partition, 0), event.offset + 1
            )
