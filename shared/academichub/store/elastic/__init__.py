"""The Elasticsearch store: institution scale, many matcher replicas, every service.

:class:`ElasticsearchStore` implements :class:`academichub.store.port.Store` over a
synchronous :class:`elasticsearch.Elasticsearch` client: every part (papers, facets,
radars, matches, briefings, ingest state, the briefer's state, accounts, dead letters) on
one view of it (:class:`Cluster`). :func:`ensure_indices` creates every index (papers
behind a versioned alias) once per cluster and prefix. The radar AST compiles to
Elasticsearch bool queries in :mod:`.query`, which imports no client.
"""

from academichub.store.elastic.accounts import ElasticsearchAccountStore
from academichub.store.elastic.backoff import Backoff
from academichub.store.elastic.cluster import Cluster
from academichub.store.elastic.errors import (
    BulkItemFailed,
    ElasticsearchStoreError,
    IndexMissing,
    Overloaded,
)
from academichub.store.elastic.facets import ElasticsearchFacets
from academichub.store.elastic.mappings import IndexNames, ensure_indices
from academichub.store.elastic.query import compile_filters, compile_query
from academichub.store.elastic.store import ElasticsearchStore

__all__ = [
    "Backoff",
    "BulkItemFailed",
    "Cluster",
    "ElasticsearchAccountStore",
    "ElasticsearchFacets",
    "ElasticsearchStore",
    "ElasticsearchStoreError",
    "IndexMissing",
    "IndexNames",
    "Overloaded",
    "compile_filters",
    "compile_query",
    "ensure_indices",
]
