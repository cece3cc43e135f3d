"""The briefer's work: matches in, due windows closed, briefings out.

Two loops share one store:

- the **consumer** decodes a batch of ``matches`` events, dead-letters the poison ones,
  puts each match into its radar's open window in the store (idempotent: a replayed
  match changes nothing) and only then commits the batch's offsets;
- the **closer** asks the store for open windows every ``check_interval`` seconds,
  closes the due ones (:mod:`.policy`) with a composed briefing, and publishes a
  briefing only when the store accepted it (``close_window`` is keyed by radar and
  window, so a second closer or a second pass publishes nothing).

All window state lives in the store, so a restart loses nothing and resumes where it
stopped. A window whose radar was deleted is skipped and kept: the store port offers no
way to discard queued matches, and a briefing nobody can read is noise; should the
radar come back (a newer upsert of the same id), its queued matches are briefed.

Known gap, for the next issue: a crash between ``close_window`` and the publish leaves
the briefing stored (readable through the store) but never announced on ``briefings``.

Infrastructure failures (store, broker) propagate and stop the process without
committing; model failures never get here (the composer falls back).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from academichub.briefer.composer import compose_briefing
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.model import BriefingModel
from academichub.briefer.policy import DueWindow, WindowPolicy, due_windows
from academichub.broker.dead_letters import dead_letter
from academichub.broker.publisher import EventPublisher
from academichub.contracts import Briefing, Match, TopicName, decode_event
from academichub.platform.errors import PoisonEvent
from academichub.store.port import BriefingStore, PaperStore, RadarStore

log = logging.getLogger(__name__)

SERVICE = "briefer"
R = TypeVar("R")


class BrieferStore(PaperStore, RadarStore, BriefingStore, Protocol):
    """What the briefer needs of the store."""


class StoreAccess(Protocol):
    """Runs a call against the store where it may run (the embedded store: its own
    thread, see :class:`academichub.store.dedicated_thread.DedicatedThread`)."""

    async def run(self, fn: Callable[[BrieferStore], R]) -> R: ...


@dataclass
class DirectStoreAccess:
    """Calls the store on the event loop: for the in-memory store in tests and the CLI."""

    store: BrieferStore

    async def run(self, fn: Callable[[BrieferStore], R]) -> R:
        return fn(self.store)


@dataclass(frozen=True)
class RawEvent:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


class MatchSource(Protocol):
    async def poll(self, wait_seconds: float) -> list[RawEvent]:
        """The next batch of ``matches`` events (empty after ``wait_seconds``)."""
        ...

    async def commit(self) -> None:
        """Commit the offsets of every batch returned so far."""
        ...


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class BrieferService:
    store: StoreAccess
    publisher: EventPublisher
    model: BriefingModel | None
    policy: WindowPolicy
    metrics: BrieferMetrics
    clock: Callable[[], dt.datetime] = _utcnow
    # (radar, window) pairs already reported as orphaned, so the log says it once.
    _orphans: set[tuple[str, int]] = field(default_factory=set, init=False, repr=False)

    async def handle_matches(self, events: Sequence[RawEvent]) -> int:
        """Queue the batch's matches for briefing; return how many were new."""
        matches: list[Match] = []
        for event in events:
            try:
                decoded = decode_event(TopicName.MATCHES, event.value)
            except PoisonEvent as exc:
                await dead_letter(
                    self.publisher,
                    topic=TopicName.MATCHES,
                    partition=event.partition,
                    offset=event.offset,
                    key=event.key,
                    value=event.value,
                    error=str(exc),
                    service=SERVICE,
                )
                self.metrics.poison.inc()
                continue
            assert isinstance(decoded, Match)  # decode_event returns the topic's type
            matches.append(decoded)
        if not matches:
            return 0
        queued = await self.store.run(lambda s: [s.enqueue_for_briefing(m) for m in matches])
        return sum(queued)

    async def close_due_windows(
        self, *, should_stop: Callable[[], bool] = lambda: False
    ) -> list[Briefing]:
        """Close every due window; return the briefings published by this pass.

        ``should_stop`` is checked between windows, so a shutdown waits for at most one
        window (the model call included) rather than a whole backlog.
        """
        windows = await self.store.run(lambda s: s.open_windows())
        self.metrics.open_windows.set(len(windows))
        published: list[Briefing] = []
        for due in due_windows(windows, now=self.clock(), policy=self.policy):
            if should_stop():
                break
            briefing = await self._close(due)
            if briefing is not None:
                published.append(briefing)
        return published

    async def _close(self, due: DueWindow) -> Briefing | None:
        radar = await self.store.run(lambda s: s.get_radar(due.radar_id))
        if radar is None:
            if (due.radar_id, due.window) not in self._orphans:
                self._orphans.add((due.radar_id, due.window))
                log.warning(
                    "radar %s is gone; keeping its %d queued papers unbriefed",
                    due.radar_id,
                    len(due.paper_ids),
                )
            return None
        found = await self.store.run(lambda s: s.get_papers(due.paper_ids))
        papers = [found[i] for i in due.paper_ids if i in found]
        missing = [i for i in due.paper_ids if i not in found]
        if missing:
            # The matcher stores a paper before matching it, so this is a store that
            # lost records; the briefing names them as omitted rather than waiting forever.
            log.warning(
                "briefing %s.w%d: papers not in the store: %s", radar.id, due.window, missing
            )
        briefing = await compose_briefing(
            papers,
            radar_id=radar.id,
            window=due.window,
            language=radar.language,
            model=self.model,
            radar_name=radar.name,
            radar_query=radar.query,
            scores=due.scores,
            omitted_paper_ids=missing,
            opened_at=due.opened_at,
            observer=self.metrics,
            clock=self.clock,
        )
        stored = await self.store.run(lambda s: s.close_window(briefing, due.items))
        if not stored:
            log.info("briefing %s was already written; not publishing it again", briefing.id)
            return None
        self.metrics.observe_briefing(briefing.provider, briefing.degraded)
        await self.publisher.publish(TopicName.BRIEFINGS, briefing.radar_id, briefing)
        log.info(
            "briefing %s: %d papers (%s%s, %s, %d held for the next window)",
            briefing.id,
            len(briefing.paper_ids),
            briefing.provider,
            ", degraded" if briefing.degraded else "",
            due.reason,
            due.held_back,
        )
        return briefing


async def run_consumer(
    source: MatchSource,
    service: BrieferService,
    stop: asyncio.Event,
    *,
    poll_seconds: float = 0.5,
) -> None:
    """Consume until ``stop`` is set; offsets are committed after each stored batch."""
    while not stop.is_set():
        events = await source.poll(poll_seconds)
        if not events:
            continue
        await service.handle_matches(events)
        await source.commit()


async def run_closer(service: BrieferService, stop: asyncio.Event, *, interval: float) -> None:
    """Close due windows every ``interval`` seconds until ``stop`` is set."""
    while not stop.is_set():
        await service.close_due_windows(should_stop=stop.is_set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
