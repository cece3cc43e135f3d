"""What the gateway needs of the store: the parts it reads and writes, and a ping.

Papers and their facet counts (search, the home page), radars (a user's radars), matches
(a radar's matches and feeds), briefings, vectors (semantic radars, similar papers, search
by meaning), the ingestor's cursors and preprints by DOI (the sources page and seed
papers, read only), accounts, and delivery (digest and webhook settings, delivery status).
Never the briefer's state or the dead-letter log. Every call goes
through the door (:class:`academichub.store.door.AsyncStore`), on the gateway's store
threads, a few parts in one hop where a request needs them together.
"""

from __future__ import annotations

from typing import Protocol

from academichub.store.accounts import AccountStore
from academichub.store.delivery import DeliveryStore
from academichub.store.facets import FacetStore
from academichub.store.port import (
    BriefingStore,
    IngestStateStore,
    MatchStore,
    PaperStore,
    RadarStore,
    VectorStore,
)


class GatewayStore(Protocol):
    @property
    def papers(self) -> PaperStore: ...

    @property
    def facets(self) -> FacetStore: ...

    @property
    def radars(self) -> RadarStore: ...

    @property
    def matches(self) -> MatchStore: ...

    @property
    def briefings(self) -> BriefingStore: ...

    @property
    def vectors(self) -> VectorStore: ...

    @property
    def ingest(self) -> IngestStateStore: ...

    @property
    def accounts(self) -> AccountStore: ...

    @property
    def delivery(self) -> DeliveryStore: ...

    def ping(self) -> None:
        """Raise if the store is unusable (for readiness)."""
        ...
