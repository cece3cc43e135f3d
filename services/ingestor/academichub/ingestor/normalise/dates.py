"""Announcement dates out of feed date strings.

arXiv stamps every item (and the channel) with "arXiv midnight" of the mailing day in New York
time: ``Mon, 28 Apr 2025 00:00:00 -0400``. The announcement date is the calendar date *in that
offset*; converting to UTC first would move it to the previous day for any feed stamped east of
Greenwich, so the date is read from the string itself.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time


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
