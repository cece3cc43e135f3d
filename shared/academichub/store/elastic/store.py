"""The Elasticsearch :class:`~academichub.store.port.Store`, for institution scale.

Elasticsearch has no multi-document transaction, so every part makes each write
idempotent per document and orders every multi-document step so that a crash half-way is
either harmless or finished by the next call; each part's module says how:
:mod:`.papers`, :mod:`.radars`, :mod:`.matches`, :mod:`.briefings`, :mod:`.vectors`, :mod:`.ingest`,
:mod:`.briefer_state`, :mod:`.accounts`, :mod:`.facets`, :mod:`.delivery`,
:mod:`.dead_letters`, :mod:`.corpus`.

Reads by id (``get``/``mget``) are real-time. Searches and listings are near-real-time:
they see a write after the next index refresh (1 s by default), unless the store was built
with ``refresh=True`` (every write then refreshes; for tests and small installations). The
requests themselves (backoff, real-time reads, paged scans, counters) are
:class:`~academichub.store.elastic.cluster.Cluster`'s, one view of the client that every
part shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from elasticsearch import Elasticsearch

from academichub.store.elastic.accounts import ElasticsearchAccountStore
from academichub.store.elastic.backoff import Backoff
from academichub.store.elastic.briefer_state import ElasticsearchBrieferState
from academichub.store.elastic.briefings import ElasticsearchBriefings
from academichub.store.elastic.cluster import Cluster
from academichub.store.elastic.corpus import ElasticsearchCorpus
from academichub.store.elastic.dead_letters import ElasticsearchDeadLetters
from academichub.store.elastic.delivery import ElasticsearchDelivery
from academichub.store.elastic.errors import IndexMissing
from academichub.store.elastic.facets import ElasticsearchFacets
from academichub.store.elastic.ingest import ElasticsearchIngestState
from academichub.store.elastic.mappings import index_specs
from academichub.store.elastic.matches import ElasticsearchMatches
from academichub.store.elastic.papers import ElasticsearchPapers
from academichub.store.elastic.radars import ElasticsearchRadars
from academichub.store.elastic.vectors import ElasticsearchVectors


class ElasticsearchStore:
    """Every part over one :class:`Cluster` view of ``client``.

    ``client`` is a synchronous :class:`elasticsearch.Elasticsearch`; the caller builds it,
    and closes it unless ``owns_client`` hands it to the store (``close()`` then closes it
    too). Run :func:`~academichub.store.elastic.mappings.ensure_indices` with the same
    ``prefix`` once before use. ``batch_size`` bounds the documents of one bulk or mget
    request, ``page_size`` the hits of one page of a listing.
    """

    def __init__(
        self,
        client: Elasticsearch,
        *,
        prefix: str = "academichub",
        refresh: bool = False,
        batch_size: int = 500,
        page_size: int = 1000,
        backoff: Backoff | None = None,
        owns_client: bool = False,
    ) -> None:
        self.cluster = Cluster(
            client,
            prefix=prefix,
            refresh=refresh,
            batch_size=batch_size,
            page_size=page_size,
            backoff=backoff,
            owns_client=owns_client,
        )
        self.names = self.cluster.names
        self.corpus = ElasticsearchCorpus(self.cluster)
        self.papers = ElasticsearchPapers(self.cluster, self.corpus)
        self.facets = ElasticsearchFacets(self.cluster)
        self.radars = ElasticsearchRadars(self.cluster)
        self.matches = ElasticsearchMatches(self.cluster)
        self.briefings = ElasticsearchBriefings(self.cluster)
        self.vectors = ElasticsearchVectors(self.cluster)
        self.ingest = ElasticsearchIngestState(self.cluster)
        self.briefer = ElasticsearchBrieferState(self.cluster)
        self.accounts = ElasticsearchAccountStore(self.cluster)
        self.delivery = ElasticsearchDelivery(self.cluster)
        self.dead_letters = ElasticsearchDeadLetters(self.cluster)

    def ping(self) -> None:
        """Raise unless the cluster answers and holds the papers alias and every index."""
        es = self.cluster.live()
        if not self.cluster.call(es.indices.exists_alias, name=self.names.papers):
            raise IndexMissing(self.names.papers)
        others = [spec.name for spec in index_specs(self.names) if not spec.aliases]
        if not self.cluster.call(es.indices.exists, index=others):
            raise IndexMissing(*others)

    def close(self) -> None:
        """Stop using the store; the client is closed too if the store owns it."""
        self.cluster.close()


if TYPE_CHECKING:
    from academichub.store.port import Store

    def _implements_the_port(store: ElasticsearchStore) -> Store:
        return store
