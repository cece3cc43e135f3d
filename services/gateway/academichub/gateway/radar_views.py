"""What the radar pages say about a radar's rhythm: its schedule in words, when the next
briefing is due, when the last came, how many matches today and this week. Pure.

"Next due" is computed by the schedule's own rule (:meth:`BriefingSchedule.next_close`,
which the briefer closes windows by) from the radar's open window: a daily or weekly
window closes at the first scheduled hour after its first match; an every-n window when
it holds n papers. Without an open window, the next briefing comes at the first
scheduled hour after a match arrives. The briefer's own ceilings (a window that fills
up, or ages, closes earlier) are its settings, not shown here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from academichub.contracts import Briefing, BriefingSchedule, Match
from academichub.gateway.domain.i18n import Translator
from academichub.store.port import OpenWindow

WEEKDAY_KEYS = tuple(f"weekday.{i}" for i in range(7))


def schedule_words(schedule: BriefingSchedule, t: Translator) -> str:
    """``每天 07:00（Asia/Shanghai）`` / ``Every Monday at 07:00 (Europe/Berlin)`` /
    ``Every 10 new papers``."""
    hour = f"{schedule.hour:02d}:00"
    if schedule.kind == "every_n":
        return t("schedule.every_n_words", n=schedule.n or 0)
    if schedule.kind == "weekly":
        day = t(WEEKDAY_KEYS[schedule.weekday])
        return t("schedule.weekly_words", day=day, hour=hour, zone=schedule.timezone)
    return t("schedule.daily_words", hour=hour, zone=schedule.timezone)


NextKind = Literal["at", "after_match", "after_papers", "due"]


@dataclass(frozen=True)
class NextBriefing:
    """``at``: due at ``when``; ``after_match``: at ``when`` if a match arrives before;
    ``after_papers``: once ``remaining`` more papers match; ``due``: now (being written)."""

    kind: NextKind
    when: dt.datetime | None = None
    remaining: int | None = None


def next_briefing(
    schedule: BriefingSchedule, window: OpenWindow | None, now: dt.datetime
) -> NextBriefing:
    papers = len({item.paper_id for item in window.items}) if window else 0
    if schedule.kind == "every_n":
        n = schedule.n or 1
        if papers >= n:
            return NextBriefing("due")
        return NextBriefing("after_papers", remaining=n - papers)
    if window is None or not papers:
        return NextBriefing("after_match", when=schedule.next_close(now))
    close = schedule.next_close(window.opened_at)
    if close is None or close <= now:
        return NextBriefing("due")
    return NextBriefing("at", when=close)


def local_time(moment: dt.datetime, zone: str) -> str:
    """``2026-06-13 07:00`` on the wall clock of ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def next_briefing_words(
    schedule: BriefingSchedule, window: OpenWindow | None, now: dt.datetime, t: Translator
) -> str:
    found = next_briefing(schedule, window, now)
    if found.kind == "due":
        return t("schedule.next_due")
    if found.kind == "after_papers":
        return t("schedule.next_after_papers", n=found.remaining or 0)
    assert found.when is not None
    when = local_time(found.when, schedule.timezone)
    key = "schedule.next_at" if found.kind == "at" else "schedule.next_after_match"
    return t(key, when=when, zone=schedule.timezone)


@dataclass(frozen=True)
class MatchCounts:
    today: int
    week: int
    capped: bool  # the week's count reached the read limit: "N+"


def period_starts(now: dt.datetime, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The start of today and of this week (Monday) on the wall clock of ``zone``, in UTC."""
    local = now.astimezone(ZoneInfo(zone))
    today = dt.datetime.combine(local.date(), dt.time(0), tzinfo=local.tzinfo)
    monday = today - dt.timedelta(days=local.weekday())
    return today.astimezone(dt.UTC), monday.astimezone(dt.UTC)


def match_counts(matches: Sequence[Match], today: dt.datetime, read_limit: int) -> MatchCounts:
    """``matches``: the radar's matches since the start of the week (at most
    ``read_limit`` of them); one count per paper, whatever its versions."""
    week = {m.paper_id for m in matches}
    day = {m.paper_id for m in matches if m.matched_at >= today}
    return MatchCounts(len(day), len(week), len(matches) >= read_limit)


def last_briefing_date(briefings: Sequence[Briefing], zone: str) -> str | None:
    if not briefings:
        return None
    return briefings[0].created_at.astimezone(ZoneInfo(zone)).date().isoformat()
