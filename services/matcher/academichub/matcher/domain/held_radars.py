"""The radars a keyword matcher holds, kept as their JSON and read back when asked for.

At 100,000 radars the validated models took 268 MB of the matcher's memory (a radar is a
model with a nested schedule, two datetimes and tuples) and most of the time its index
snapshot took to write and read; the keyword role reads a held radar only when it changes
or is backfilled (matching reads the index, never the radar). Held as the bytes of
``Radar.model_dump_json`` they take 44 MB and pickle in a fraction of a second; a read
validates them again (about a tenth of a millisecond). ``academichub bench pipeline``
shows the effect (``rss_mb``, ``ready_s``).

The embedding role reads its radars on every paper: it keeps them as models (a dict).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from academichub.contracts import Radar


class HeldRadars(MutableMapping[str, Radar]):
    """A ``dict[str, Radar]`` that stores each radar as its JSON."""

    __slots__ = ("_json",)

    def __init__(self) -> None:
        self._json: dict[str, bytes] = {}

    def __getitem__(self, radar_id: str) -> Radar:
        return Radar.model_validate_json(self._json[radar_id])

    def __setitem__(self, radar_id: str, radar: Radar) -> None:
        self._json[radar_id] = radar.model_dump_json().encode()

    def __delitem__(self, radar_id: str) -> None:
        del self._json[radar_id]

    def __contains__(self, radar_id: object) -> bool:
        return radar_id in self._json

    def __iter__(self) -> Iterator[str]:
        return iter(self._json)

    def __len__(self) -> int:
        return len(self._json)

    def __getstate__(self) -> dict[str, bytes]:
        return self._json

    def __setstate__(self, state: dict[str, bytes]) -> None:
        self._json = state
