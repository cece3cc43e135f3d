"""What a radar query would have caught: per-day counts and the best few papers.

The answer to "is this radar too broad?" before saving it. It runs the same query
language and the same store search as the search box, so it means what matching means.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from academichub.gateway.gateway_store import GatewayStore
from academichub.radar.ast import Node
from academichub.store.port import SearchFilters, SearchHit
from academichub.store.recent import recent_days


@dataclass(frozen=True)
class Preview:
    first_day: dt.date
    last_day: dt.date
    per_day: tuple[tuple[dt.date, int], ...]
    total: int
    top: tuple[SearchHit, ...]


def preview_query(
    store: GatewayStore, node: Node, *, days: int, top: int, today: dt.date
) -> Preview:
    """Counts per day over the ``days`` days that end with the newest announcement
    (:func:`~academichub.store.recent.recent_days`, the days a new radar's backfill
    matches)."""
    first, last = recent_days(store.papers, days, today)
    per_day = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        found = store.papers.search(
            node, SearchFilters(published_from=day, published_to=day), limit=0
        )
        per_day.append((day, found.total))
    best = store.papers.search(
        node, SearchFilters(published_from=first, published_to=last), limit=top
    )
    return Preview(first, last, tuple(per_day), best.total, best.hits)
