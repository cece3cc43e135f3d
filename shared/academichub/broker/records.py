"""A record as a consumer receives it, before it is decoded: defined once for every source."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawEvent:
    """One record as the broker gave it: where it is, its key, value and timestamp
    (milliseconds since the epoch, as the producer or the broker set it)."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None = None
