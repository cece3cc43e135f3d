"""Per-source status for operators, kept in the source's cursor in the store.

The gateway's ``GET /api/sources`` reads it from there, so it survives restarts and needs no
call into the ingestor. The cursor is a flat string map; the status keys are named here once,
and :func:`read_status` is the one reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

LAST_SUCCESS: Final = "last_success_at"
LAST_ERROR_AT: Final = "last_error_at"
LAST_ERROR: Final = "last_error"
LAST_ITEMS: Final = "last_items"
NEXT_POLL: Final = "next_poll_at"
STALE: Final = "stale"
FAILURES: Final = "consecutive_failures"
RECOVERED_FOR: Final = "recovered_for"
RECOVERED_ITEMS: Final = "recovered_items"
# What the last poll that read entries had to repair or could not publish, or nothing.
LAST_NOTES: Final = "last_poll_notes"
MAX_MESSAGE: Final = 500


@dataclass(frozen=True)
class SourceStatus:
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error: str | None
    last_items: int | None
    next_poll_at: dt.datetime | None
    stale: bool
    consecutive_failures: int
    # "undecodable: title 2; truncated: abstract 1; refused by the broker: 1": the last
    # poll that read entries, when it repaired or could not publish any.
    last_poll_notes: str | None = None


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def read_status(cursor: Mapping[str, str] | None) -> SourceStatus:
    cursor = cursor or {}
    return SourceStatus(
        last_success_at=_time(cursor.get(LAST_SUCCESS)),
        last_error_at=_time(cursor.get(LAST_ERROR_AT)),
        last_error=cursor.get(LAST_ERROR) or None,
        last_items=_int(cursor.get(LAST_ITEMS)),
        next_poll_at=_time(cursor.get(NEXT_POLL)),
        stale=cursor.get(STALE) == "1",
        consecutive_failures=_int(cursor.get(FAILURES)) or 0,
        last_poll_notes=cursor.get(LAST_NOTES) or None,
    )


def succeeded(cursor: Mapping[str, str], now: dt.datetime, items: int | None) -> dict[str, str]:
    """The cursor after a successful poll (``items`` None: not modified, count unchanged)."""
    out = dict(cursor) | {LAST_SUCCESS: now.isoformat(), FAILURES: "0"}
    if items is not None:
        out[LAST_ITEMS] = str(items)
    return out


def failed(cursor: Mapping[str, str], now: dt.datetime, message: str) -> dict[str, str]:
    failures = (_int(cursor.get(FAILURES)) or 0) + 1
    return dict(cursor) | {
        LAST_ERROR_AT: now.isoformat(),
        LAST_ERROR: message[:MAX_MESSAGE],
        FAILURES: str(failures),
    }


def noted(cursor: Mapping[str, str], notes: str | None) -> dict[str, str]:
    """The cursor after a poll that read entries: its notes, or none."""
    out = {k: v for k, v in cursor.items() if k != LAST_NOTES}
    if notes:
        out[LAST_NOTES] = notes[:MAX_MESSAGE]
    return out


def scheduled(cursor: Mapping[str, str], next_poll_at: dt.datetime) -> dict[str, str]:
    return dict(cursor) | {NEXT_POLL: next_poll_at.isoformat()}


def flagged(cursor: Mapping[str, str], stale: bool) -> dict[str, str]:
    return dict(cursor) | {STALE: "1" if stale else "0"}
