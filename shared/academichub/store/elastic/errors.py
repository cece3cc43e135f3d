"""What the Elasticsearch adapter raises beyond the client's own errors.

::

    RuntimeError
    └── ElasticsearchStoreError      the store cannot do what was asked
        ├── Overloaded               still pushed back (HTTP 429) after the bounded retries
        ├── BulkItemFailed           a bulk item failed for a reason that is not an outcome
        └── IndexMissing             an index or alias is absent: ensure_indices() never ran

Connection failures and unexpected HTTP statuses stay the client's own
``elastic_transport.TransportError`` / ``elasticsearch.ApiError``: they are infrastructure
failures, and the services crash on them without committing (at-least-once replays the work).
"""

from __future__ import annotations


class ElasticsearchStoreError(RuntimeError):
    """Base class: RuntimeError, like the other adapters' "store unusable" errors."""


class Overloaded(ElasticsearchStoreError):
    """Elasticsearch kept answering 429 (too many requests) through every backoff attempt."""


class BulkItemFailed(ElasticsearchStoreError):
    """One item of a bulk request failed with a status that is neither success nor an
    expected outcome (such as a mapping error): a bug or a broken cluster, never retried."""

    def __init__(self, index: str, doc_id: str, status: int, error_type: str, reason: str) -> None:
        super().__init__(f"{index}/{doc_id}: HTTP {status} {error_type}: {reason}")
        self.index = index
        self.doc_id = doc_id
        self.status = status
        self.error_type = error_type
        self.reason = reason


class IndexMissing(ElasticsearchStoreError):
    """An index or alias the store needs does not exist."""

    def __init__(self, *names: str) -> None:
        what = (
            f"the Elasticsearch index or alias {names[0]!r} does not exist"
            if len(names) == 1
            else f"one of the Elasticsearch indices {', '.join(names)} does not exist"
        )
        super().__init__(
            f"{what}: run academichub.store.elastic.ensure_indices(client, prefix) once "
            "before using the store"
        )
        self.names = names
