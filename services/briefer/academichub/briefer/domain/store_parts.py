"""What the briefer's service needs of the store: five of its parts.

The service queues matches into windows and closes them (``briefings``), confirms them
queued, finds the ones whose event never came and whether a radar's backfill is done
(``matches``), publishes and upgrades briefings (``briefer``: delivery), reads the window's
papers (``papers``) and its radar (``radars``). The summary cache and the token ledger get
only the ``briefer`` part.
Its async code reaches the store through the one door,
:class:`academichub.store.door.AsyncStore`: on the store's own thread in the service,
inline for the in-memory store of the tests and ``academichub brief``.
"""

from __future__ import annotations

from typing import Protocol

from academichub.store.port import (
    BrieferStateStore,
    BriefingStore,
    MatchStore,
    PaperStore,
    RadarStore,
)


class BrieferStore(Protocol):
    """The parts of a :class:`~academichub.store.port.Store` the briefer's service uses."""

    @property
    def papers(self) -> PaperStore: ...

    @property
    def radars(self) -> RadarStore: ...

    @property
    def matches(self) -> MatchStore: ...

    @property
    def briefings(self) -> BriefingStore: ...

    @property
    def briefer(self) -> BrieferStateStore: ...
