"""The briefer's work: matches in, due windows closed, briefings out and upgraded.

Two loops share one store:

- the **consumer** (the shared loop of :mod:`academichub.broker.consumer`, which decodes
  and dead-letters) hands :meth:`BrieferService.handle_matches` each batch of matches,
  which puts each into its radar's open window in the store (idempotent: a replayed
  match changes nothing) and confirms them queued in the matches part; the loop commits
  the batch only after that;
- the **closer** runs a pass every ``check_interval`` seconds:

  0. queues the matches recorded over ``unqueued_after`` ago that no window holds yet:
     their event was lost (a broker restart lost the ``matches`` topic), and the store
     has them (:meth:`BrieferService.recover_unqueued`);
  1. publishes stored briefings whose publication was interrupted (a crash between
     storing and publishing) — the store remembers which revision was published;
  2. closes the due windows (:mod:`.policy`, each radar on its own schedule) with a
     composed briefing, publishing it only when the store accepted it (``close_window``
     is keyed by radar and window, so a second closer or a second pass publishes
     nothing);
  3. when the model is reachable again, rewrites a few degraded briefings that a model
     outage caused, in place (same id, same window, same papers), and publishes them
     again. The mark is set before the window is closed, so a crash cannot lose it.

All window state lives in the store, so a restart loses nothing and resumes where it
stopped. A window whose radar was deleted is skipped (a briefing nobody can read is
noise) until the matcher retracts the radar's matches, which empties it
(:meth:`~academichub.store.port.MatchStore.retract_matches`).

A radar's first window closes as soon as the papers its backfill found are in it
(:func:`~academichub.briefer.policy.due_reason`, "backfill"), so a new radar gets a
briefing within a minute of being saved.

A pass that meets a broker that is away (a transient failure) ends there, logged, and the
next pass takes up what is left (a stored briefing not yet published is published by a
later pass). A briefing the broker refuses for good (an event over the size limit) stays
stored and served by the API: it is counted, logged and marked published, so no pass
tries again. Other infrastructure failures (the store) propagate and stop the process;
model failures never get here (the composer falls back).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from academichub.briefer.domain.composer import Composer
from academichub.briefer.domain.policy import DueWindow, WindowPolicy, due_windows
from academichub.briefer.domain.store_parts import BrieferStore
from academichub.briefer.metrics import BrieferMetrics
from academichub.broker.publisher import EventPublisher, PublishRefused
from academichub.contracts import Briefing, Match, Paper, PaperMatches, Radar, TopicName
from academichub.platform.errors import TransientError
from academichub.store.door import AsyncStore

__all__ = ["SERVICE", "BrieferService", "BrieferStore", "run_closer"]

log = logging.getLogger(__name__)

SERVICE = "briefer"
# Lost matches queued per closer pass; more wait for the next pass.
RECOVER_BATCH = 500


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class BrieferService:
    store: AsyncStore[BrieferStore]
    publisher: EventPublisher
    composer: Composer
    policy: WindowPolicy
    metrics: BrieferMetrics
    clock: Callable[[], dt.datetime] = _utcnow
    upgrades_per_pass: int = 5
    # A stored, unpublished briefing younger than this may be in the middle of being
    # published by the closer that wrote it: republishing waits for it to be late.
    republish_after: dt.timedelta = dt.timedelta(seconds=30)
    # A recorded match no window holds after this long lost its event on the way.
    unqueued_after: dt.timedelta = dt.timedelta(minutes=5)
    # (radar, window) pairs already reported as orphaned, so the log says it once.
    _orphans: set[tuple[str, int]] = field(default_factory=set, init=False, repr=False)

    async def handle_match_events(self, events: Sequence[PaperMatches]) -> int:
        """The ``matches`` consumer loop's handler: each event's matches (a group per paper
        version, or one match from an older matcher) queued by :meth:`handle_matches`."""
        return await self.handle_matches([match for event in events for match in event.each()])

    async def handle_matches(self, matches: Sequence[Match]) -> int:
        """Queue a batch of matches for briefing (the ``matches`` consumer loop's handler);
        return how many were new."""
        if not matches:
            return 0

        def queue(s: BrieferStore) -> list[bool]:
            queued = [s.briefings.enqueue_for_briefing(m) for m in matches]
            # After the windows hold them (a crash in between queues them again: a no-op).
            # The matches themselves: each carries its group (paper version, matched_at),
            # which a store marking per group needs; a group comes whole or in parts.
            s.matches.mark_queued(matches)
            return queued

        return sum(await self.store.run(queue))

    async def recover_unqueued(self) -> int:
        """Queue the matches recorded over ``unqueued_after`` ago that no window holds
        (their event was lost on the way); return how many were new to a window."""
        cutoff = self.clock() - self.unqueued_after
        lost = await self.store.run(lambda s: s.matches.unqueued_matches(cutoff, RECOVER_BATCH))
        self.metrics.unqueued.set(len(lost))
        if not lost:
            return 0
        queued = await self.handle_matches(lost)
        self.metrics.recovered.inc(queued)
        log.warning(
            "%d matches recorded before %s were in no briefing window (their events were "
            "lost, as when the broker loses the matches topic): %d queued from the store",
            len(lost),
            cutoff.isoformat(timespec="seconds"),
            queued,
        )
        return queued

    async def close_due_windows(
        self, *, should_stop: Callable[[], bool] = lambda: False
    ) -> list[Briefing]:
        """One closer pass (late publications, due windows, upgrades); return every
        briefing this pass published.

        ``should_stop`` is checked between windows, so a shutdown waits for at most one
        window (the model calls included) rather than a whole backlog.
        """
        await self.recover_unqueued()
        published = await self._publish_late()
        windows = await self.store.run(lambda s: s.briefings.open_windows())
        self.metrics.open_windows.set(len(windows))
        radars = await self.store.run(
            lambda s: {w.radar_id: s.radars.get_radar(w.radar_id) for w in windows}
        )
        schedules = {rid: radar.schedule for rid, radar in radars.items() if radar is not None}
        firsts = [w.radar_id for w in windows if w.window == 1]
        marks = await self.store.run(lambda s: [s.matches.backfill_mark(r) for r in firsts])
        backfilled = {mark.radar_id: mark.papers for mark in marks if mark is not None}
        for due in due_windows(
            windows,
            now=self.clock(),
            policy=self.policy,
            schedules=schedules,
            backfilled=backfilled,
        ):
            if should_stop():
                return published
            briefing = await self._close(due, radars.get(due.radar_id))
            if briefing is not None:
                published.append(briefing)
        published.extend(await self.upgrade_degraded(should_stop=should_stop))
        return published

    async def _papers(self, paper_ids: Sequence[str]) -> tuple[list[Paper], list[str]]:
        found = await self.store.run(lambda s: s.papers.get_papers(paper_ids))
        return [found[i] for i in paper_ids if i in found], [i for i in paper_ids if i not in found]

    async def _close(self, due: DueWindow, radar: Radar | None) -> Briefing | None:
        if radar is None:
            if (due.radar_id, due.window) not in self._orphans:
                self._orphans.add((due.radar_id, due.window))
                log.warning(
                    "radar %s is gone; keeping its %d queued papers unbriefed",
                    due.radar_id,
                    len(due.paper_ids),
                )
            return None
        papers, missing = await self._papers(due.paper_ids)
        if missing:
            # The matcher stores a paper before matching it, so this is a store that
            # lost records; the briefing names them as omitted rather than waiting forever.
            log.warning(
                "briefing %s.w%d: papers not in the store: %s", radar.id, due.window, missing
            )
        composed = await self.composer.compose(
            papers,
            radar=radar,
            window=due.window,
            scores=due.scores,
            omitted_paper_ids=missing,
            opened_at=due.opened_at,
        )
        briefing = composed.briefing
        if composed.upgradable:
            # Before the window is closed: a crash in between leaves a mark whose
            # briefing comes later (kept and skipped), never a briefing without its mark.
            await self.store.run(lambda s: s.briefer.mark_for_upgrade(briefing.id))
        stored = await self.store.run(lambda s: s.briefings.close_window(briefing, due.items))
        if not stored:
            log.info("briefing %s was already written; not publishing it again", briefing.id)
            return None
        await self._publish(briefing, revision=1)
        log.info(
            "briefing %s: %d papers, %d omitted (%s%s, %s, %d held for the next window)",
            briefing.id,
            len(briefing.paper_ids),
            len(briefing.omitted_paper_ids),
            briefing.provider,
            ", degraded" if briefing.degraded else "",
            due.reason,
            due.held_back,
        )
        return briefing

    async def _publish(self, briefing: Briefing, *, revision: int) -> None:
        try:
            await self.publisher.publish(TopicName.BRIEFINGS, briefing.radar_id, briefing)
        except PublishRefused as exc:
            # Refused for good (over the event size): trying again cannot help. It is
            # stored and served by the API; marked published below so no pass retries.
            self.metrics.refused.inc()
            log.error(
                "briefing %s (revision %d) is stored and served, but the broker refused its "
                "event for good: %s",
                briefing.id,
                revision,
                exc,
            )
        await self.store.run(lambda s: s.briefer.mark_briefing_published(briefing.id, revision))
        if revision == 1:  # a window's briefing; later revisions are upgrades of it
            self.metrics.observe_briefing(briefing.provider, briefing.degraded)

    async def _publish_late(self) -> list[Briefing]:
        """Publish stored briefings whose publication was interrupted."""
        pending = await self.store.run(lambda s: s.briefer.unpublished_briefings(100))
        cutoff = self.clock() - self.republish_after
        published: list[Briefing] = []
        for briefing, revision in pending:
            if briefing.created_at > cutoff:
                continue
            log.warning(
                "briefing %s (revision %d) was not published; publishing", briefing.id, revision
            )
            await self._publish(briefing, revision=revision)
            self.metrics.republished.inc()
            published.append(briefing)
        return published

    async def upgrade_degraded(
        self, *, should_stop: Callable[[], bool] = lambda: False
    ) -> list[Briefing]:
        """Rewrite degraded briefings by the model, oldest mark first, while it works."""
        if self.upgrades_per_pass <= 0 or not self.composer.model_ready():
            return []
        marked = await self.store.run(
            lambda s: s.briefer.briefings_to_upgrade(self.upgrades_per_pass)
        )
        upgraded: list[Briefing] = []
        for old in marked:
            if should_stop() or not self.composer.model_ready():
                break
            published, keep_going = await self._upgrade(old)
            if published is not None:
                upgraded.append(published)
            if not keep_going:
                break
        return upgraded

    async def _upgrade(self, old: Briefing) -> tuple[Briefing | None, bool]:
        """Try to upgrade one briefing: (the briefing published, whether to go on)."""
        radar = await self.store.run(lambda s: s.radars.get_radar(old.radar_id))
        if not old.degraded or radar is None:
            # Already written by the model (a racing closer won), or nobody to read it.
            await self.store.run(lambda s: s.briefer.drop_upgrade(old.id))
            return None, True
        if await self.composer.spent_budget(radar) is not None:
            return None, True  # the radar's budget is spent today; keep the mark
        papers, missing = await self._papers(old.paper_ids)
        composed = await self.composer.compose(
            papers,
            radar=radar,
            window=old.window,
            omitted_paper_ids=(*old.omitted_paper_ids, *missing),
            opened_at=old.window_opened_at,
            closed_at=old.window_closed_at,
        )
        new = composed.briefing
        if composed.fallback in ("model_down", "model_slow"):
            return None, False  # down or slow again: the breaker decides when to retry
        if composed.fallback == "model_output":
            # The model answers, just not usably for this window: retrying would spend
            # tokens for the same result.
            log.warning("briefing %s stays extractive: %s", old.id, new.degraded_reason)
            await self.store.run(lambda s: s.briefer.drop_upgrade(old.id))
            return None, True
        if composed.fallback == "budget":
            return None, True  # keep the mark for a day with budget left
        revision = await self.store.run(lambda s: s.briefer.upgrade_briefing(new))
        if revision is None:
            return None, True  # upgraded by another briefer meanwhile
        await self._publish(new, revision=revision)
        self.metrics.upgrades.inc()
        log.info("briefing %s upgraded by the model (revision %d)", new.id, revision)
        return new, True


async def run_closer(service: BrieferService, stop: asyncio.Event, *, interval: float) -> None:
    """Close due windows every ``interval`` seconds until ``stop`` is set.

    A pass still running when ``stop`` is set is cancelled, its in-flight model calls with
    it, so a shutdown never waits for a model: every step of a window is safe to cut short
    (the window stays open in the store until ``close_window`` commits it, and a stored
    briefing not yet published is published by the next process's first pass). A pass
    that fails transiently (the broker away) is logged and the next one goes on.
    """
    while not stop.is_set():
        try:
            await _until_stopped(service.close_due_windows(should_stop=stop.is_set), stop)
        except TransientError as exc:
            # The broker is away: what this pass did not publish, a later pass does.
            log.warning("closer pass cut short: %s (next pass in %gs)", exc, interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def _until_stopped(work: Coroutine[Any, Any, object], stop: asyncio.Event) -> None:
    """Run ``work``; if ``stop`` is set first, cancel it and return once it has unwound.

    A failure of ``work`` propagates; so does a cancellation of the caller, which cancels
    ``work`` first.
    """
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not task.done():
            task.cancel()
            # Unwinding first: cancel() only asks, and the caller must not return (or close
            # the store) while the pass is still inside it.
            await asyncio.wait({task})
    if not task.cancelled():
        task.result()  # re-raise what the pass raised
