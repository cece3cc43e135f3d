"""When a user's digest is due, by the schedule rule radars use
(:meth:`academichub.contracts.BriefingSchedule.next_close`). Pure.

A digest is due for the latest close at or before now (``daily`` at the hour in the
user's zone, ``weekly`` on the day too) once that close is after the moment the digest
was switched on; one digest per close (its id names the close). A briefer that was down
at a close sends that period's digest when it is back, carrying everything not yet sent.
"""

from __future__ import annotations

import datetime as dt

from academichub.contracts import BriefingSchedule

# Further back than one period, whatever daylight saving does to a day's length.
_LOOKBACK = {"daily": dt.timedelta(days=2), "weekly": dt.timedelta(days=8)}


def latest_close(schedule: BriefingSchedule, now: dt.datetime) -> dt.datetime | None:
    """The schedule's latest close at or before ``now`` (None for ``every_n``)."""
    if schedule.kind not in _LOOKBACK:
        return None
    close = schedule.next_close(now - _LOOKBACK[schedule.kind])
    if close is None or close > now:
        return None
    while (following := schedule.next_close(close)) is not None and following <= now:
        close = following
    return close


def due_close(
    schedule: BriefingSchedule, since: dt.datetime, now: dt.datetime
) -> dt.datetime | None:
    """The close a digest is due for now: the latest one, if after ``since`` (when the
    digest was switched on); else None."""
    close = latest_close(schedule, now)
    return close if close is not None and close > since else None


def carried_since(schedule: BriefingSchedule, since: dt.datetime) -> dt.datetime:
    """The oldest a briefing may be to go into a digest: the start of the period in which
    the digest was switched on (so briefings of that day or week are not lost)."""
    return latest_close(schedule, since) or since
