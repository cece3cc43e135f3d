"""Reading what the sources report needs from the store, in one worker-thread call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from academichub.arxiv_calendar import Announcement, ArxivCalendar
from academichub.gateway.domain.freshness import SourceState, source_states
from academichub.gateway.gateway_store import GatewayStore
from academichub.store.facets import FacetStore
from academichub.store.port import NO_FILTERS, SearchFilters


@dataclass(frozen=True)
class SourcesView:
    checked_at: dt.datetime
    states: list[SourceState]
    latest: Announcement
    upcoming: Announcement


def read_sources(
    store: GatewayStore,
    facets: FacetStore,
    configured: Sequence[str],
    calendar: ArxivCalendar,
    now: dt.datetime,
) -> SourcesView:
    counts = facets.facets(None, NO_FILTERS, top=0, days=1).sources
    papers: dict[str, tuple[int, dt.date | None]] = {}
    for source, count in counts:
        newest = store.papers.search(None, SearchFilters(sources=(source,)), sort="date", limit=1)
        papers[source] = (count, newest.hits[0].paper.published if newest.hits else None)
    names = list(dict.fromkeys([*configured, *papers]))
    cursors = {name: store.ingest.get_cursor(name) for name in names}
    return SourcesView(
        checked_at=now,
        states=source_states(configured, cursors, papers, calendar, now),
        latest=calendar.latest_announcement(now),
        upcoming=calendar.next_announcement(now),
    )
