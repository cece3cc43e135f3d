"""What the briefer needs of the store.

Its async code reaches the store through the one door,
:class:`academichub.store.door.AsyncStore`: on the store's own thread in the service,
inline for the in-memory store of the tests and ``academichub brief``.
"""

from __future__ import annotations

from typing import Protocol

from academichub.store.port import (
    BriefingDeliveryStore,
    BriefingStore,
    PaperStore,
    RadarStore,
    SummaryStore,
    TokenUsageStore,
)


class BrieferStore(
    PaperStore,
    RadarStore,
    BriefingStore,
    SummaryStore,
    BriefingDeliveryStore,
    TokenUsageStore,
    Protocol,
):
    """What the briefer needs of the store."""
