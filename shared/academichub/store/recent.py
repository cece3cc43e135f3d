"""The recent days of announcements: the one rule for "the last N days" that a new
radar's backfill matches and the radar preview counts.

The days end with the newest stored announcement (never after today), not with today:
on a quiet weekend, or on a store fed from the bundled recordings, they still cover days
that have papers, so a store replaying old feeds behaves like a live one.
"""

from __future__ import annotations

import datetime as dt

from academichub.store.port import PaperStore


def recent_days(papers: PaperStore, days: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the ``days`` days that end with the newest stored
    announcement (today when the store is empty or its newest is in the future)."""
    if days < 1:
        raise ValueError(f"recent days: at least one day, not {days}")
    newest = papers.latest_papers(1)
    last = min(newest[0].published, today) if newest else today
    return last - dt.timedelta(days=days - 1), last
