"""The one consumer loop: every service that reads a topic holds only its handler.

One step of the loop::

    source.poll() ──▶ decode each event as its topic's type ──┬─▶ poison: dead-letter it,
                      (the shared decoder, and the consumer's  │   count it per topic
                      own ``check`` of a decoded event)        └─▶ good: handler(events)
                                                                         │
                                            source.commit(the whole batch) ◀┘

Classified failures (academichub.platform.errors):

* **poison** -- anything the decoder or ``check`` cannot turn into the topic's event
  (:class:`PoisonEvent`): dead-lettered with the reason, counted in
  ``academichub_poison_events_total{topic}``, and committed past with its batch;
* **a bug or an infrastructure failure** in the handler -- anything it raises: propagates
  out of the loop before the commit, so the batch is consumed again after the restart that
  follows (at-least-once; every handler is idempotent). Nothing is swallowed.

:class:`ConsumerProgress` records when the loop last polled and committed, so readiness
can tell a consumer that consumes from one that has stopped.

Sources (:class:`EventSource`): a Kafka consumer group and a group-less follower of every
partition (:mod:`.kafka_source`), and an in-memory fake (:mod:`.memory_source`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from academichub.broker.dead_letters import DeadLetters
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.records import RawEvent
from academichub.contracts import TOPICS, TopicName, decode_event
from academichub.platform.errors import PoisonEvent

log = logging.getLogger(__name__)

E = TypeVar("E", bound=BaseModel)


class EventSource(Protocol):
    """Batches of one topic's records, and committing past them."""

    async def poll(self) -> Sequence[RawEvent]:
        """The next batch; empty when none arrived within the source's wait."""
        ...

    async def commit(self, events: Sequence[RawEvent]) -> None:
        """Record that every event of ``events`` (a batch :meth:`poll` returned) is done."""
        ...


class ConsumerProgress:
    """When the loop started, last polled and last committed (monotonic seconds)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.running = False
        self.started_at: float | None = None
        self.last_poll_at: float | None = None
        self.last_commit_at: float | None = None

    def started(self) -> None:
        self.running, self.started_at = True, self._clock()

    def stopped(self) -> None:
        self.running = False

    def polled(self) -> None:
        self.last_poll_at = self._clock()

    def committed(self) -> None:
        self.last_commit_at = self._clock()

    def consuming(self, within: float) -> bool:
        """Running, and it polled in the last ``within`` seconds."""
        if not self.running or self.last_poll_at is None:
            return False
        return self._clock() - self.last_poll_at <= within

    def describe(self, within: float) -> str:
        """Why the consumer is or is not consuming, for a readiness answer."""
        if not self.running:
            return "not running" if self.started_at is None else "stopped"
        if self.last_poll_at is None:
            return "starting (no poll yet)"
        age = self._clock() - self.last_poll_at
        return "ok" if age <= within else f"no poll for {age:.0f}s"


class ConsumerLoop(Generic[E]):
    """Consumes ``topic`` from ``source`` into ``handle`` (see the module docstring).

    ``event`` must be the registry's event type of ``topic``. ``check`` may refuse a
    decoded event as poison for a reason the contracts cannot see (a radar query that
    does not parse) by raising :class:`PoisonEvent`.
    """

    def __init__(
        self,
        *,
        topic: TopicName,
        event: type[E],
        source: EventSource,
        handle: Callable[[list[E]], Awaitable[object]],
        dead_letters: DeadLetters,
        metrics: ConsumerMetrics,
        check: Callable[[E], None] | None = None,
        progress: ConsumerProgress | None = None,
    ) -> None:
        if TOPICS[topic].event is not event:
            raise ValueError(
                f"topic {topic} carries {TOPICS[topic].event.__name__}, not {event.__name__}"
            )
        if TOPICS[topic].dlq is None:
            raise ValueError(f"topic {topic} has no dead-letter topic to consume it with")
        self.topic = topic
        self._event = event
        self._source = source
        self._handle = handle
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._check = check
        self.progress = progress or ConsumerProgress()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set (checked between batches)."""
        self.progress.started()
        log.info("consuming %s", self.topic)
        try:
            while not stop.is_set():
                await self.step()
        finally:
            self.progress.stopped()

    async def step(self) -> int:
        """One batch: poll, decode, dead-letter, handle, commit. Returns its size."""
        batch = await self._source.poll()
        self.progress.polled()
        self._metrics.polled(self.topic)
        if not batch:
            return 0
        good: list[E] = []
        for raw in batch:
            try:
                good.append(self._decode(raw))
            except PoisonEvent as exc:
                if await self._dead_letters.send(self.topic, raw, str(exc)) is not None:
                    self._metrics.poisoned(self.topic)
        if good:
            await self._handle(good)
        self._metrics.consumed(self.topic, len(good))
        await self._source.commit(batch)
        self.progress.committed()
        self._metrics.committed(self.topic)
        return len(batch)

    def _decode(self, raw: RawEvent) -> E:
        event = decode_event(self.topic, raw.value)
        # The registry's type, checked once in __init__: this holds for every decode.
        assert isinstance(event, self._event)
        if self._check is not None:
            self._check(event)
        return event
