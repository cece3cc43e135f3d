"""When arXiv announces: listing days, release times and holidays. Pure, no I/O.

arXiv releases a listing at 20:00 US Eastern time, Sunday to Thursday; each release is
the listing of the *next* calendar day, so listing days run Monday to Friday (the RSS
feed's announce date is the listing day). There is no release on the evening before a
holiday listing day. Which days are holidays arXiv publishes each year
(info.arxiv.org/help/availability): the rules below cover the ones it keeps every year,
:data:`PUBLISHED_HOLIDAYS` holds the lists published so far, and operators add the rest
(``GATEWAY_ARXIV_EXTRA_HOLIDAYS`` / ``INGESTOR_ARXIV_EXTRA_HOLIDAYS``). Shared by the
ingestor (when to poll, when silence is expected) and the gateway (the sources page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final
from zoneinfo import ZoneInfo

EASTERN: Final = ZoneInfo("America/New_York")
RELEASE_HOUR: Final = 20
_SEARCH_DAYS: Final = 60  # far more than the longest holiday break arXiv has taken


# arXiv's published schedule of days without an announcement (help/availability).
PUBLISHED_HOLIDAYS: Final[frozenset[dt.date]] = frozenset(
    dt.date(2026, month, day)
    for month, day in (
        (1, 1),
        (1, 19),
        (6, 19),
        (7, 3),
        (9, 7),
        (11, 26),
        (12, 25),
        (12, 29),
        (12, 31),
    )
)


def thanksgiving(year: int) -> dt.date:
    """US Thanksgiving: the fourth Thursday of November."""
    first = dt.date(year, 11, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=3)


def yearly_holidays(year: int) -> frozenset[dt.date]:
    """Listing days arXiv skips every year: New Year's Day, Thanksgiving, Christmas Day."""
    return frozenset({dt.date(year, 1, 1), thanksgiving(year), dt.date(year, 12, 25)})


@dataclass(frozen=True)
class Announcement:
    listing_day: dt.date
    released_at: dt.datetime  # aware, US Eastern


@dataclass(frozen=True)
class ArxivCalendar:
    extra_holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def is_holiday(self, day: dt.date) -> bool:
        return (
            day in self.extra_holidays
            or day in PUBLISHED_HOLIDAYS
            or day in yearly_holidays(day.year)
        )

    def is_listing_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def release_of(self, listing_day: dt.date) -> dt.datetime:
        """When the listing of ``listing_day`` appears: 20:00 Eastern the evening before."""
        evening = listing_day - dt.timedelta(days=1)
        return dt.datetime.combine(evening, dt.time(RELEASE_HOUR), tzinfo=EASTERN)

    def next_announcement(self, now: dt.datetime) -> Announcement:
        """The first release strictly after ``now`` (an aware datetime)."""
        day = now.astimezone(EASTERN).date()
        for offset in range(_SEARCH_DAYS):
            listing = day + dt.timedelta(days=offset)
            if self.is_listing_day(listing) and self.release_of(listing) > now:
                return Announcement(listing, self.release_of(listing))
        raise ValueError(f"no arXiv announcement within {_SEARCH_DAYS} days of {now}")

    def latest_announcement(self, now: dt.datetime) -> Announcement:
        """The last release at or before ``now``."""
        day = now.astimezone(EASTERN).date() + dt.timedelta(days=1)
        for offset in range(_SEARCH_DAYS):
            listing = day - dt.timedelta(days=offset)
            if self.is_listing_day(listing) and self.release_of(listing) <= now:
                return Announcement(listing, self.release_of(listing))
        raise ValueError(f"no arXiv announcement within {_SEARCH_DAYS} days before {now}")

    def listings_after(self, day: dt.date, until: dt.date) -> int:
        """How many listing days fall in (``day``, ``until``]: announcements missed."""
        count, current = 0, day + dt.timedelta(days=1)
        while current <= until:
            count += self.is_listing_day(current)
            current += dt.timedelta(days=1)
        return count


def calendar_with(holidays: Iterable[dt.date]) -> ArxivCalendar:
    return ArxivCalendar(frozenset(holidays))
