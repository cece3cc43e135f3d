"""The Elasticsearch store: institution scale, many matcher replicas.

:class:`ElasticsearchStore` implements :class:`academichub.store.port.Store` over a
synchronous :class:`elasticsearch.Elasticsearch` client; :func:`ensure_indices` creates its
indices (papers behind a versioned alias) once per cluster and prefix. The radar AST
compiles to Elasticsearch bool queries in :mod:`.query`, which imports no client.
"""

from academichub.store.elastic.backoff import Backoff
from academichub.store.elastic.errors import (
    BulkItemFailed,
    ElasticsearchStoreError,
    IndexMissing,
    Overloaded,
)
from academichub.store.elastic.mappings import IndexNames, ensure_indices
from academichub.store.elastic.query import compile_filters, compile_query
from academichub.store.elastic.store import ElasticsearchStore

__all__ = [
    "Backoff",
    "BulkItemFailed",
    "ElasticsearchStore",
    "ElasticsearchStoreError",
    "IndexMissing",
    "IndexNames",
    "Overloaded",
    "compile_filters",
    "compile_query",
    "ensure_indices",
]
