"""Paging and timing values as sources write them, for FeedInfo.

Counts arrive as ints, digit strings (bioRxiv: ``"total": "109"``) or element text with
whitespace; timestamps as ISO 8601. Anything else is None: a count that cannot be read must not
stop the papers on the page from being read.
"""

from __future__ import annotations

import datetime as dt


def count(value: object) -> int | None:
    """A non-negative count from an int or a digit string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isdigit() else None
    return None


def timestamp(raw: str | None) -> dt.datetime | None:
    """An ISO 8601 timestamp (``2026-04-12T22:10:26Z``, ``2016-10-09T00:00:00-04:00``)."""
    if not raw:
        return None
    try:
        return dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
