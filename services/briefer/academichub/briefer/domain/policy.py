"""When a radar's briefing window closes, and which papers the briefing takes.

Pure: open windows, the radars' schedules and a clock reading in, due windows out. The
window state itself lives in the store (:class:`academichub.store.port.BriefingStore`),
so these rules can be evaluated again after a restart with the same result.

Each radar's :class:`~academichub.contracts.BriefingSchedule` closes its window
("scheduled"):

- ``daily`` at ``hour``:00 in the schedule's time zone — the first such moment after the
  window opened, so every match before 07:00 is in the 07:00 briefing;
- ``weekly`` on the schedule's weekday at ``hour``:00, likewise;
- ``every_n`` once the window holds ``n`` distinct papers.

A radar's first window is closed as soon as it holds the papers its backfill found
("backfill": the radar was matched against the recent stored papers when it was saved,
:class:`~academichub.store.port.BackfillMark`), so a new radar gets its first briefing
within a minute of saving; later windows follow its schedule.

Whatever the schedule, the service's configured maximum also closes a window: at
``max_papers`` distinct papers ("full") or when its oldest item is ``max_age`` old
("aged"). A briefing covers at most ``max_papers`` papers, the best by match score;
the rest stay queued and form the radar's next window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from academichub.contracts import BriefingSchedule
from academichub.store.port import OpenWindow, PendingItem


@dataclass(frozen=True)
class WindowPolicy:
    max_papers: int
    max_age: dt.timedelta

    def __post_init__(self) -> None:
        if self.max_papers < 1:
            raise ValueError("a window holds at least one paper")
        if self.max_age <= dt.timedelta(0):
            raise ValueError("a window's maximum age must be positive")


DueReason = Literal["full", "backfill", "scheduled", "aged"]


@dataclass(frozen=True)
class DueWindow:
    """A window to close now, with the items and papers its briefing covers."""

    radar_id: str
    window: int
    opened_at: dt.datetime
    reason: DueReason
    items: tuple[PendingItem, ...]
    paper_ids: tuple[str, ...]  # best match first
    scores: dict[str, float]
    held_back: int  # papers left queued for the next window


def _aware(moment: dt.datetime) -> dt.datetime:
    # A naive timestamp in an event must not crash the closer on every pass:
    # timestamps in AcademicHub are UTC, so a naive one is read as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _best_score_per_paper(items: Iterable[PendingItem]) -> dict[str, tuple[float, dt.datetime]]:
    best: dict[str, tuple[float, dt.datetime]] = {}
    for item in items:
        seen = best.get(item.paper_id)
        enqueued = _aware(item.enqueued_at)
        if seen is None:
            best[item.paper_id] = (item.score, enqueued)
        else:
            best[item.paper_id] = (max(seen[0], item.score), min(seen[1], enqueued))
    return best


def next_close(schedule: BriefingSchedule, opened_at: dt.datetime) -> dt.datetime | None:
    """When a daily or weekly window opened at ``opened_at`` closes (None for every_n):
    the schedule's own rule, :meth:`BriefingSchedule.next_close`, which the gateway also
    shows as "next briefing"."""
    return schedule.next_close(opened_at)


def due_reason(
    window: OpenWindow,
    *,
    now: dt.datetime,
    policy: WindowPolicy,
    schedule: BriefingSchedule | None = None,
    backfilled: int | None = None,
) -> DueReason | None:
    """Why the window is due, or None if it is not due yet. Without a schedule only the
    configured maximum closes it. ``backfilled``: how many papers the radar's finished
    backfill matched (None while it has none)."""
    if not window.items:
        return None
    papers = len({item.paper_id for item in window.items})
    if papers >= policy.max_papers:
        return "full"
    # The first window, once every paper the backfill found has arrived in it (the
    # matches travel on the topic; the mark is written after the last was published).
    if window.window == 1 and backfilled and papers >= min(backfilled, policy.max_papers):
        return "backfill"
    if schedule is not None:
        if schedule.kind == "every_n":
            if schedule.n is not None and papers >= schedule.n:
                return "scheduled"
        else:
            close = next_close(schedule, window.opened_at)
            if close is not None and _aware(now) >= close:
                return "scheduled"
    oldest = min(_aware(item.enqueued_at) for item in window.items)
    if _aware(now) - oldest >= policy.max_age:
        return "aged"
    return None


def select(window: OpenWindow, max_papers: int) -> tuple[tuple[PendingItem, ...], list[str]]:
    """The items the briefing takes (every version of each chosen paper) and the chosen
    paper ids, best score first; ties go to the earlier match, then the id, so the
    choice is the same on every pass."""
    best = _best_score_per_paper(window.items)
    ranked = sorted(best, key=lambda pid: (-best[pid][0], best[pid][1], pid))
    chosen = ranked[:max_papers]
    keep = set(chosen)
    return tuple(i for i in window.items if i.paper_id in keep), chosen


def due_windows(
    windows: Sequence[OpenWindow],
    *,
    now: dt.datetime,
    policy: WindowPolicy,
    schedules: Mapping[str, BriefingSchedule] | None = None,
    backfilled: Mapping[str, int] | None = None,
) -> list[DueWindow]:
    """The windows to close now, oldest first (so a backlog drains in arrival order).

    ``schedules`` maps radar ids to their schedules; a radar without one (unknown, or
    deleted) is held to the configured maximum only. ``backfilled`` maps radar ids to the
    papers their finished backfill matched.
    """
    due: list[DueWindow] = []
    for window in windows:
        schedule = (schedules or {}).get(window.radar_id)
        reason = due_reason(
            window,
            now=now,
            policy=policy,
            schedule=schedule,
            backfilled=(backfilled or {}).get(window.radar_id),
        )
        if reason is None:
            continue
        # An every_n window briefs the n it waited for, not every paper that arrived.
        limit = policy.max_papers
        if reason == "scheduled" and schedule is not None and schedule.n is not None:
            limit = min(limit, schedule.n)
        items, chosen = select(window, limit)
        best = _best_score_per_paper(items)
        total = len({item.paper_id for item in window.items})
        due.append(
            DueWindow(
                radar_id=window.radar_id,
                window=window.window,
                opened_at=_aware(window.opened_at),
                reason=reason,
                items=items,
                paper_ids=tuple(chosen),
                scores={pid: best[pid][0] for pid in chosen},
                held_back=total - len(chosen),
            )
        )
    due.sort(key=lambda d: (d.opened_at, d.radar_id))
    return due
