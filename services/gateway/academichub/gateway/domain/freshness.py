"""How fresh each source is, from the ingestor's cursors and the stored papers. Pure.

The ingestor keeps, per feed, a cursor with the feed URL, its ETag/Last-Modified and the
announce date of the last listing it read. For arXiv feeds that date is compared with the
announcement calendar: a feed is *behind* when listings were released since (allowing
the ingestor one poll interval to catch up). Other sources publish irregularly, so they
are judged by the age of their newest paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from academichub.arxiv_calendar import ArxivCalendar
from academichub.source_status import read_status

# The ingestor polls hourly: a release younger than this is not yet expected in the store.
POLL_GRACE: Final = dt.timedelta(hours=2)
STALE_AFTER_DAYS: Final = 7

Status = Literal["fresh", "behind", "unknown"]


@dataclass(frozen=True)
class SourceState:
    name: str
    configured: bool
    url: str | None
    announce_date: dt.date | None
    etag: bool
    last_modified: str | None
    papers: int
    newest_published: dt.date | None
    status: Status
    missed_announcements: int | None
    # What the ingestor recorded about its polls of this source (None: never polled).
    last_success_at: dt.datetime | None = None
    last_error_at: dt.datetime | None = None
    last_error: str | None = None
    items_last_poll: int | None = None
    next_poll_at: dt.datetime | None = None
    stale: bool = False
    last_poll_notes: str | None = None


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def source_states(
    configured: Sequence[str],
    cursors: Mapping[str, Mapping[str, str] | None],
    papers: Mapping[str, tuple[int, dt.date | None]],
    calendar: ArxivCalendar,
    now: dt.datetime,
) -> list[SourceState]:
    """One state per configured feed, then one per paper source no feed is named after."""
    expected = calendar.latest_announcement(now - POLL_GRACE).listing_day
    names = list(dict.fromkeys([*configured, *sorted(papers)]))
    states = []
    for name in names:
        cursor = cursors.get(name) or {}
        count, newest = papers.get(name, (0, None))
        announce = _date(cursor.get("announce_date"))
        missed: int | None = None
        status: Status = "unknown"
        if name.startswith("arxiv") and announce is not None:
            missed = calendar.listings_after(announce, expected)
            status = "fresh" if missed == 0 else "behind"
        elif (seen := announce or newest) is not None:
            age = (now.date() - seen).days
            status = "fresh" if age <= STALE_AFTER_DAYS else "behind"
        polled = read_status(cursor)
        states.append(
            SourceState(
                name=name,
                configured=name in configured,
                url=cursor.get("url"),
                announce_date=announce,
                etag=bool(cursor.get("etag")),
                last_modified=cursor.get("last_modified"),
                papers=count,
                newest_published=newest,
                status=status,
                missed_announcements=missed,
                last_success_at=polled.last_success_at,
                last_error_at=polled.last_error_at,
                last_error=polled.last_error,
                items_last_poll=polled.last_items,
                next_poll_at=polled.next_poll_at,
                stale=polled.stale,
                last_poll_notes=polled.last_poll_notes,
            )
        )
    return states
