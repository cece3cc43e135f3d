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
* **transient** -- the handler (or a dead letter's publish) raises
  :class:`~academichub.platform.errors.TransientError` (the broker unreachable, say): the
  same batch is handled again after a backoff that doubles up to ``retry_cap_seconds``,
  for as long as it takes; nothing is committed meanwhile, the consumer is not ready, and
  each retry is counted (``academichub_consumer_retries_total{topic}``). Dead letters
  already sent are not sent again;
* **a refused commit** (:class:`CommitRefused`: a rebalance took the partitions, or the
  group forgot its member when the broker restarted): counted
  (``academichub_consumer_commit_failures_total{topic,reason}``) and logged; the events are
  consumed again by whoever owns them next (at-least-once; every handler is idempotent);
* **a bug** in the handler -- anything else it raises: propagates out of the loop before
  the commit, so the batch is consumed again after the restart that follows. Nothing is
  swallowed.

:class:`ConsumerProgress` records when the loop last polled and committed and whether it is
retrying, so readiness can tell a consumer that consumes from one that has stopped or
waits, and liveness one that is stuck (no poll for a stated time: restart it).

Sources (:class:`EventSource`): a Kafka consumer group and a group-less follower of every
partition (:mod:`.kafka_source`), and an in-memory fake (:mod:`.memory_source`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from academichub.broker.dead_letters import DeadLetters
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.records import RawEvent
from academichub.contracts import TOPICS, TopicName, decode_event
from academichub.platform.errors import AcademicHubError, PoisonEvent, TransientError

log = logging.getLogger(__name__)

E = TypeVar("E", bound=BaseModel)


class EventSource(Protocol):
    """Batches of one topic's records, and committing past them."""

    async def poll(self) -> Sequence[RawEvent]:
        """The next batch; empty when none arrived within the source's wait."""
        ...

    async def commit(self, events: Sequence[RawEvent]) -> None:
        """Record that every event of ``events`` (a batch :meth:`poll` returned) is done;
        raise :class:`CommitRefused` when the broker did not record it."""
        ...


class CommitRefused(AcademicHubError):
    """A commit the broker did not record, for a reason that is no bug: ``reason`` is
    ``rebalance`` (the partitions were given to another member, or the group forgot this
    one: a broker restart), ``gone`` (the topic or partition no longer exists) or
    ``unavailable`` (the broker did not answer in time)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ConsumerProgress:
    """When the loop started, last polled and last committed (monotonic seconds), and
    since when it has been retrying a batch (and why)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.running = False
        self.started_at: float | None = None
        self.last_poll_at: float | None = None
        self.last_commit_at: float | None = None
        self.retrying_since: float | None = None
        self.retry_reason: str | None = None

    def started(self) -> None:
        self.running, self.started_at = True, self._clock()

    def stopped(self) -> None:
        self.running = False

    def polled(self) -> None:
        self.last_poll_at = self._clock()

    def committed(self) -> None:
        self.last_commit_at = self._clock()

    def retrying(self, reason: str) -> None:
        if self.retrying_since is None:
            self.retrying_since = self._clock()
        self.retry_reason = reason

    def recovered(self) -> None:
        self.retrying_since, self.retry_reason = None, None

    def consuming(self, within: float) -> bool:
        """Running, not retrying a batch, and it polled in the last ``within`` seconds."""
        return self.describe(within) == "ok"

    def describe(self, within: float) -> str:
        """Why the consumer is or is not consuming, for a readiness answer."""
        if not self.running:
            return "not running" if self.started_at is None else "stopped"
        if self.retrying_since is not None:
            waited = self._clock() - self.retrying_since
            return f"retrying a batch for {waited:.0f}s: {self.retry_reason}"
        if self.last_poll_at is None:
            return "starting (no poll yet)"
        age = self._clock() - self.last_poll_at
        return "ok" if age <= within else f"no poll for {age:.0f}s"

    def liveness(self, within: float) -> str:
        """ "ok" unless the loop runs and has not polled for over ``within`` seconds (a
        handler that hangs, a batch retried that long): then a restart is the remedy. A
        loop not started yet, or stopping, is alive."""
        if not self.running or self.started_at is None:
            return "ok"
        age = self._clock() - (self.last_poll_at or self.started_at)
        return "ok" if age <= within else f"no poll for {age:.0f}s (the limit is {within:g}s)"


class Backoff:
    """Pauses before retrying a batch: ``initial`` seconds doubling up to ``cap``, each
    between half and all of that ("equal jitter", so replicas do not retry in step)."""

    def __init__(
        self,
        initial: float = 0.5,
        cap: float = 30.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not 0 < initial <= cap:
            raise ValueError("a backoff needs 0 < initial <= cap")
        self.initial, self.cap, self._jitter = initial, cap, jitter

    def delay(self, retry: int) -> float:
        """The pause before the ``retry``-th retry (1 for the first)."""
        ceiling = min(self.cap, self.initial * 2.0 ** min(retry - 1, 30))
        return ceiling / 2 + ceiling / 2 * self._jitter()


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
        backoff: Backoff | None = None,
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
        self._backoff = backoff or Backoff()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set (checked between batches, and while a batch
        waits to be retried)."""
        self.progress.started()
        log.info("consuming %s", self.topic)
        try:
            while not stop.is_set():
                await self.step(stop)
        finally:
            self.progress.stopped()

    async def step(self, stop: asyncio.Event | None = None) -> int:
        """One batch: poll, decode, dead-letter, handle (retried while the failure is
        transient), commit. Returns its size; 0 also when ``stop`` was set while the batch
        waited for a retry (it is then left uncommitted, for the next process)."""
        batch = await self._source.poll()
        self.progress.polled()
        self._metrics.polled(self.topic)
        if not batch:
            return 0
        good: list[E] = []
        poison: list[tuple[RawEvent, str]] = []
        for raw in batch:
            try:
                good.append(self._decode(raw))
            except PoisonEvent as exc:
                poison.append((raw, str(exc)))
        retry = 0
        while True:
            try:
                await self._settle(good, poison)
                break
            except TransientError as exc:
                retry += 1
                delay = self._backoff.delay(retry)
                self.progress.retrying(str(exc))
                self._metrics.retried(self.topic)
                log.warning(
                    "%s: %s; handling the batch of %d again in %.1fs (retry %d)",
                    self.topic,
                    exc,
                    len(batch),
                    delay,
                    retry,
                )
                if await _stopped_within(stop, delay):
                    return 0
        if retry:
            log.info("%s: the batch went through after %d retries", self.topic, retry)
        self.progress.recovered()
        self._metrics.consumed(self.topic, len(good))
        try:
            await self._source.commit(batch)
        except CommitRefused as exc:
            self._metrics.commit_failed(self.topic, exc.reason)
            log.warning("%s: not committed: %s", self.topic, exc)
        else:
            self.progress.committed()
            self._metrics.committed(self.topic)
        return len(batch)

    async def _settle(self, good: list[E], poison: list[tuple[RawEvent, str]]) -> None:
        """Dead-letter the poison, then hand the good events over. A letter sent is taken
        off ``poison``, so a retry after a transient failure does not send it again."""
        while poison:
            raw, reason = poison[0]
            if await self._dead_letters.send(self.topic, raw, reason) is not None:
                self._metrics.poisoned(self.topic)
            poison.pop(0)
        if good:
            await self._handle(good)

    def _decode(self, raw: RawEvent) -> E:
        event = decode_event(self.topic, raw.value)
        # The registry's type, checked once in __init__: this holds for every decode.
        assert isinstance(event, self._event)
        if self._check is not None:
            self._check(event)
        return event


async def _stopped_within(stop: asyncio.Event | None, seconds: float) -> bool:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile; whether it was set."""
    if stop is None:
        await asyncio.sleep(seconds)
        return False
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
