"""The cluster as every part of the adapter talks to it: one client, one set of options.

:class:`Cluster` holds what the store, the accounts and the facet counter share: the client
(with 429 left to our backoff, see :mod:`.backoff`), the index names of one prefix, the
refresh policy, and the few request shapes they all send:

* real-time reads by id (``get``, ``mget``): they see every acknowledged write;
* searches and paged scans (``search_after``): near-real-time, they see a write after the
  next refresh of its index;
* atomic counters: one scripted update of a counter document;
* bulk writes in bounded batches (:mod:`.bulk`).

Refresh policy. ``refresh=True`` (tests, small installations) makes every write refresh
its index. Otherwise writes do not wait, and each part makes visible what a later search
must see, in the cheapest of two ways: ``refresh="wait_for"`` on a write whose next read
comes right after it (:attr:`Cluster.visible`), or :meth:`Cluster.refresh_now` of an index
just before a search that must see every earlier write (:meth:`Cluster.make_visible`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

from elasticsearch import NotFoundError

from academichub.store.elastic.backoff import Backoff
from academichub.store.elastic.bulk import NOT_FOUND, ItemResult, Operation, Refresh, bulk_write
from academichub.store.elastic.errors import ElasticsearchStoreError, IndexMissing
from academichub.store.elastic.mappings import IndexNames

if TYPE_CHECKING:
    from elastic_transport import ObjectApiResponse
    from elasticsearch import Elasticsearch

T = TypeVar("T")
P = ParamSpec("P")

# The transport retries these at once; 429 is left to our backoff (see backoff.py).
_TRANSPORT_RETRY_STATUSES: Final = (502, 503, 504)
# Concurrent updates of one document re-read and retry inside Elasticsearch.
UPDATE_RETRIES: Final = 10


class Cluster:
    """The requests of the adapter against one client and one index prefix.

    ``close()`` stops this view of the cluster (every later request raises
    :class:`ElasticsearchStoreError`); the client itself is closed only when
    ``owns_client`` says this view is the one that should close it.
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
        if batch_size < 2 or page_size < 1:
            raise ValueError(
                f"batch_size must be at least 2 and page_size at least 1, "
                f"got {batch_size} and {page_size}"
            )
        self.names = IndexNames(prefix)
        self.client = client
        # 429 is ours to handle with a pause (the transport would retry it at once, with no
        # pause); connection errors and 502/503/504 keep the transport's own retries.
        self._es = client.options(retry_on_status=_TRANSPORT_RETRY_STATUSES)
        # For single-document reads and deletes a 404 is an answer ("not found").
        self._es_404 = self._es.options(ignore_status=NOT_FOUND)
        self.refresh_writes = refresh
        self.batch_size = batch_size
        self.page_size = page_size
        self.backoff = backoff or Backoff()
        self._owns_client = owns_client
        self._closed = False

    @property
    def refresh(self) -> Refresh:
        """The ``refresh`` of an ordinary write: at once with ``refresh=True``, else none."""
        return "true" if self.refresh_writes else None

    @property
    def visible(self) -> Refresh:
        """The ``refresh`` of a write that the next search must see: at once with
        ``refresh=True``, else wait (at most one refresh interval) until it is searchable."""
        return "true" if self.refresh_writes else "wait_for"

    def close(self) -> None:
        if not self._closed and self._owns_client:
            self.client.close()
        self._closed = True

    # --- requests -----------------------------------------------------------------
    def live(self) -> Elasticsearch:
        if self._closed:
            raise ElasticsearchStoreError("the Elasticsearch store is closed")
        return self._es

    def live_404(self) -> Elasticsearch:
        """The client for requests whose 404 is an answer (a missing document)."""
        self.live()
        return self._es_404

    def call(self, request: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``request(*args, **kwargs)``, retried with backoff while Elasticsearch says 429."""
        try:
            return self.backoff.call(lambda: request(*args, **kwargs), "Elasticsearch request")
        except NotFoundError as exc:
            error = exc.body.get("error") if isinstance(exc.body, dict) else None
            if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
                raise IndexMissing(str(error.get("index", "?"))) from exc
            raise

    def bulk(self, operations: Sequence[Operation], refresh: Refresh = None) -> list[ItemResult]:
        """Bulk ``operations``; ``refresh`` defaults to :attr:`refresh`."""
        if not operations:
            return []
        return bulk_write(
            self.live(),
            operations,
            batch_size=self.batch_size,
            backoff=self.backoff,
            refresh=refresh or self.refresh,
        )

    def refresh_now(self, *indices: str) -> None:
        """Make every write acknowledged so far searchable in ``indices``."""
        es = self.live()
        self.call(es.indices.refresh, index=list(indices))

    def make_visible(self, *indices: str) -> None:
        """Before a search that must see earlier writes: refresh ``indices`` unless every
        write refreshes anyway."""
        if not self.refresh_writes:
            self.refresh_now(*indices)

    def allocate(self, counter: str, count: int) -> range:
        """``count`` fresh numbers of a named counter, larger than any handed out before.

        One scripted update of the counter document: Elasticsearch applies updates of one
        document one at a time (``retry_on_conflict`` re-runs a racing update), so two
        processes never get the same numbers.
        """
        if count == 0:
            return range(0)
        es = self.live()
        response = self.call(
            es.update,
            index=self.names.sequences,
            id=counter,
            script=increment("value", "count", count),
            upsert={"value": count},
            retry_on_conflict=UPDATE_RETRIES,
            source=True,
        )
        high = int(response.body["get"]["_source"]["value"])
        return range(high - count + 1, high + 1)

    def get(self, index: str, doc_id: str, source: list[str] | bool) -> Mapping[str, Any] | None:
        """One document by id (real-time, with ``_seq_no`` and ``_primary_term`` for a
        conditional write), or None if it does not exist."""
        es = self.live_404()
        if isinstance(source, bool):
            response: ObjectApiResponse[Any] = self.call(
                es.get, index=index, id=doc_id, source=source
            )
        else:
            response = self.call(es.get, index=index, id=doc_id, source_includes=source)
        body = response.body
        if body.get("found"):
            return dict(body)
        if "found" in body:
            return None
        raise missing_or_failed(index, body)

    def mget(
        self, index: str, doc_ids: Sequence[str], *, source: list[str] | bool
    ) -> dict[str, Mapping[str, Any]]:
        """The documents among ``doc_ids`` that exist (real-time), by id."""
        es = self.live()
        found: dict[str, Mapping[str, Any]] = {}
        for start in range(0, len(doc_ids), self.batch_size):
            chunk = list(doc_ids[start : start + self.batch_size])
            if isinstance(source, bool):
                response = self.call(es.mget, index=index, ids=chunk, source=source)
            else:
                response = self.call(es.mget, index=index, ids=chunk, source_includes=source)
            for doc in response.body["docs"]:
                if "error" in doc:
                    raise missing_or_failed(index, doc)
                if doc.get("found"):
                    found[str(doc["_id"])] = doc
        return found

    def put(
        self, index: str, doc_id: str, document: Mapping[str, Any], refresh: Refresh = None
    ) -> None:
        """Write one whole document by id, replacing any stored under it."""
        es = self.live()
        self.call(
            es.index, index=index, id=doc_id, document=document, refresh=refresh or self.refresh
        )

    def delete(self, index: str, doc_id: str, refresh: Refresh = None) -> bool:
        """Delete one document by id; False if there was none."""
        es = self.live_404()
        response: ObjectApiResponse[Any] = self.call(
            es.delete, index=index, id=doc_id, refresh=refresh or self.refresh
        )
        body = response.body
        if body.get("result") == "deleted":
            return True
        if body.get("result") == "not_found":
            return False
        raise missing_or_failed(index, body)

    def delete_matching(self, index: str, query: dict[str, Any]) -> int:
        """Delete every searchable document matching ``query``; how many were deleted.

        A document changed since the last refresh is left alone (``conflicts: proceed``):
        whoever changed it decides again. The deletion is visible to searches at once.
        """
        es = self.live()
        response = self.call(
            es.delete_by_query, index=index, query=query, conflicts="proceed", refresh=True
        )
        failures = response.body.get("failures") or []
        if failures:
            raise ElasticsearchStoreError(f"deleting from {index} failed: {failures[0]}")
        return int(response.body["deleted"])

    def search(self, index: str, body: dict[str, Any]) -> Any:
        es = self.live()
        return self.call(es.search, index=index, body=body).body

    def scan(
        self, index: str, query: dict[str, Any], sort: list[dict[str, Any]], source: list[str]
    ) -> Iterator[Mapping[str, Any]]:
        """Every hit of ``query`` in ``sort`` order, a page at a time with ``search_after``.

        ``sort`` must be unique per document (it is the paging cursor). Pages are read
        without a point in time: a document written meanwhile may or may not appear.
        """
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "query": query,
                "sort": sort,
                "track_total_hits": False,
                "size": self.page_size,
                "_source": source,
            }
            if after is not None:
                body["search_after"] = after
            hits = self.search(index, body)["hits"]["hits"]
            yield from hits
            if len(hits) < self.page_size:
                return
            after = list(hits[-1]["sort"])


def increment(field: str, param: str, amount: int) -> dict[str, Any]:
    """The update script adding ``amount`` to a numeric field (the only script we send)."""
    return {
        "source": f"ctx._source.{field} += params.{param}",
        "lang": "painless",
        "params": {param: amount},
    }


def filtered(*clauses: dict[str, Any]) -> dict[str, Any]:
    """A query of unscored filters only (listings sort by fields, never by score)."""
    return {"bool": {"filter": list(clauses)}}


def missing_or_failed(index: str, body: Mapping[str, Any]) -> ElasticsearchStoreError:
    error = body.get("error") or {}
    kind = error.get("type") if isinstance(error, Mapping) else str(error)
    if kind == "index_not_found_exception":
        return IndexMissing(index)
    return ElasticsearchStoreError(f"reading {index}: {kind}: {error}")
