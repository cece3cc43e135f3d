"""When arXiv announces: Sunday–Thursday 20:00 Eastern, no weekends, no holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.arxiv_calendar import EASTERN, ArxivCalendar, thanksgiving

CAL = ArxivCalendar()


def _et(y: int, m: int, d: int, h: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("now", "listing", "released"),
    [
        # Friday morning: nothing until Sunday evening, which brings Monday's listing.
        (_et(2026, 6, 12, 9), dt.date(2026, 6, 15), _et(2026, 6, 14, 20)),
        # Monday 19:59 → that evening; 20:00 exactly has just happened → Tuesday evening.
        (_et(2026, 6, 15, 19, 59), dt.date(2026, 6, 16), _et(2026, 6, 15, 20)),
        (_et(2026, 6, 15, 20, 0), dt.date(2026, 6, 17), _et(2026, 6, 16, 20)),
        # Thursday evening announces Friday's listing; Saturday waits for Sunday.
        (_et(2026, 6, 11, 12), dt.date(2026, 6, 12), _et(2026, 6, 11, 20)),
        # Juneteenth (Friday 19 June) is on arXiv's published 2026 list: no Thursday release.
        (_et(2026, 6, 18, 12), dt.date(2026, 6, 22), _et(2026, 6, 21, 20)),
        (_et(2026, 6, 20, 12), dt.date(2026, 6, 22), _et(2026, 6, 21, 20)),
        # Christmas Day 2026 is a Friday: no release on Thursday 24th.
        (_et(2026, 12, 24, 12), dt.date(2026, 12, 28), _et(2026, 12, 27, 20)),
        # Thanksgiving 2026 (Thursday 26 Nov): Wednesday evening is skipped.
        (_et(2026, 11, 25, 12), dt.date(2026, 11, 27), _et(2026, 11, 26, 20)),
    ],
)
def test_next_announcement(now: dt.datetime, listing: dt.date, released: dt.datetime) -> None:
    found = CAL.next_announcement(now)
    assert (found.listing_day, found.released_at) == (listing, released)


def test_next_announcement_from_utc_crosses_daylight_saving() -> None:
    # 2026-03-08 is the switch to EDT: Sunday's 20:00 release is 00:00 UTC Monday.
    found = CAL.next_announcement(dt.datetime(2026, 3, 8, 12, tzinfo=dt.UTC))
    assert found.released_at.astimezone(dt.UTC) == dt.datetime(2026, 3, 9, 0, tzinfo=dt.UTC)
    winter = CAL.next_announcement(dt.datetime(2026, 1, 11, 12, tzinfo=dt.UTC))
    assert winter.released_at.astimezone(dt.UTC) == dt.datetime(2026, 1, 12, 1, tzinfo=dt.UTC)


def test_latest_announcement_and_missed_listings() -> None:
    latest = CAL.latest_announcement(_et(2026, 6, 13, 12))  # Saturday
    assert latest.listing_day == dt.date(2026, 6, 12)
    assert CAL.listings_after(dt.date(2026, 6, 10), dt.date(2026, 6, 15)) == 3  # 11, 12, 15


def test_extra_holidays_are_skipped() -> None:
    closed = ArxivCalendar(frozenset({dt.date(2026, 6, 16)}))
    found = closed.next_announcement(_et(2026, 6, 15, 12))
    assert found.listing_day == dt.date(2026, 6, 17)


def test_thanksgiving_is_the_fourth_thursday() -> None:
    assert [thanksgiving(y) for y in (2024, 2025, 2026)] == [
        dt.date(2024, 11, 28),
        dt.date(2025, 11, 27),
        dt.date(2026, 11, 26),
    ]
