"""Announcement dates out of feed date strings.

arXiv stamps every item (and the channel) with "arXiv midnight" of the mailing day in New York
time: ``Mon, 28 Apr 2025 00:00:00 -0400``. The announcement date is the calendar date *in that
offset*; converting to UTC first would move it to the previous day for any feed stamped east of
Greenwich, so the date is read from the string itself.

Journals and Crossref also give dates of partial precision (``2021-05``, ``[[2012, 3]]``).
Decision: a missing month or day is filled with 1 -- the earliest day the date can mean -- and
the precision is reported alongside where a caller has a more precise date to prefer.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
from collections.abc import Sequence
from typing import Final

# `2021`, `2021-05`, `2021-05-20`: ISO dates cut short, as Cell in-press feeds write them.
_PARTIAL_ISO_RE: Final = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parse_feed_date(raw: str | None, parsed: time.struct_time | None = None) -> dt.date | None:
    """The calendar date of an RFC 822 (RSS) or ISO 8601 (Atom) date string.

    ``parsed`` is the parser's UTC reading of the same value, used only when the string itself
    is in neither format (feed parsers accept a few more exotic ones).
    """
    if raw:
        text = raw.strip()
        try:
            return email.utils.parsedate_to_datetime(text).date()
        except (TypeError, ValueError, IndexError):
            pass
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
    if parsed is not None:
        return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def parse_partial_date(raw: str | None) -> dt.date | None:
    """Like :func:`parse_feed_date`, and also ``YYYY-MM`` / ``YYYY`` (missing parts become 1)."""
    full = parse_feed_date(raw)
    if full is not None or not raw:
        return full
    match = _PARTIAL_ISO_RE.fullmatch(raw.strip())
    if match is None:
        return None
    parsed = date_from_parts([int(part) for part in match.groups() if part is not None])
    return parsed[0] if parsed is not None else None


def date_from_parts(parts: Sequence[object]) -> tuple[dt.date, int] | None:
    """Crossref ``date-parts`` (``[2012, 3, 21]``, ``[2012, 3]``, ``[2012]``) -> (date, precision).

    Precision counts the parts given (1 = year only). Parts arrive as ints or digit strings;
    anything else, or an impossible date, gives None.
    """
    numbers: list[int] = []
    for part in parts[:3]:
        if isinstance(part, bool):
            return None
        if isinstance(part, int):
            numbers.append(part)
        elif isinstance(part, str) and part.strip().isdigit():
            numbers.append(int(part))
        else:
            return None
    if not numbers:
        return None
    year, month, day = (*numbers, 1, 1)[:3]
    try:
        return dt.date(year, month, day), len(numbers)
    except ValueError:
        return None
