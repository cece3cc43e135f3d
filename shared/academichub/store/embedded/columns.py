"""How the embedded store's tables hold the values the parts share: versions, instants,
and statements chunked below SQLite's limit on bound parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Final, TypeVar

# Below SQLite's smallest limit on bound parameters per statement (999 before 3.32).
CHUNK: Final = 500

T = TypeVar("T")


def version_rank(version: int | None) -> int:
    """A version as stored: 0 stands for "no version", so (id, version) can be a key."""
    return 0 if version is None else version


def version_of(rank: int) -> int | None:
    return None if rank == 0 else rank


def timestamp(moment: dt.datetime) -> float:
    """A sortable instant; naive datetimes are taken as UTC (the services write UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.timestamp()


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
