"""When each source is polled next, and when silence from arXiv is expected. Pure.

Every source has its own interval. arXiv's RSS is rebuilt once a day, at midnight US Eastern
after the 20:00 announcement (../shared/FEEDS.md section 2): polling it hourly wastes
requests, so it is polled shortly after each rebuild, and hourly only while it is late. A
source whose poll failed is retried sooner than its interval, backing off.

A category feed is *stale* when the latest announcement the calendar says has been rebuilt
into the RSS is newer than the feed's announce date: arXiv then serves yesterday's batch for
that category (it happened to cs.AI on 2026-08-12). Weekends and holidays never make a feed
stale: no listing is expected on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from academichub.arxiv_calendar import ArxivCalendar

# The RSS is rebuilt at midnight Eastern, four hours after the 20:00 release; poll a little
# after that, when the CDN has the new document.
RSS_REBUILD_DELAY: Final = dt.timedelta(hours=4, minutes=10)
LATE_RETRY: Final = dt.timedelta(hours=1)
FIRST_RETRY: Final = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Staleness:
    stale: bool
    expected: dt.date  # the listing day the feed should show by now
    missed: int  # listing days after the feed's date up to ``expected``


def arxiv_staleness(
    announce_date: dt.date | None, calendar: ArxivCalendar, now: dt.datetime
) -> Staleness:
    expected = calendar.latest_announcement(now - RSS_REBUILD_DELAY).listing_day
    if announce_date is None:
        return Staleness(False, expected, 0)
    missed = calendar.listings_after(announce_date, expected)
    return Staleness(missed > 0, expected, missed)


def next_poll(
    *,
    now: dt.datetime,
    interval: dt.timedelta,
    arxiv_rss: bool,
    calendar: ArxivCalendar,
    consecutive_failures: int = 0,
    stale: bool = False,
) -> dt.datetime:
    """The time of the next poll of one source after a poll that ended at ``now``."""
    if consecutive_failures:
        backoff: dt.timedelta = FIRST_RETRY * 2 ** min(consecutive_failures - 1, 16)
        return now + min(interval, backoff)
    due = now + interval
    if arxiv_rss:
        rebuild = calendar.next_announcement(now).released_at + RSS_REBUILD_DELAY
        due = min(due, rebuild.astimezone(dt.UTC))
        if stale:
            due = min(due, now + LATE_RETRY)
    return due
