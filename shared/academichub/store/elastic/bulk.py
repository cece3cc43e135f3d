"""Bulk writes in bounded batches, retrying what Elasticsearch pushed back (HTTP 429).

Each :class:`Operation` is one action line plus its source line of the ``_bulk`` NDJSON.
Results come back in the order of the operations, whatever had to be retried:

* an item answered 429 (``es_rejected_execution_exception``: the write queue was full) is
  sent again, alone with the other rejected items of its batch, after a backoff pause; a
  whole request answered 429 is sent again entire; after :attr:`Backoff.attempts` tries
  :class:`~academichub.store.elastic.errors.Overloaded` is raised;
* an item whose status is listed in :attr:`Operation.outcomes` (a 409 for an insert-if-absent
  or an external version that is not newer) is an answer, returned like a success;
* any other failed item raises :class:`~academichub.store.elastic.errors.BulkItemFailed`,
  never retried: a mapping error or a broken shard will not heal by waiting.

Items of one batch are applied independently (Elasticsearch has no multi-document
transaction), so callers make every operation idempotent and order-independent within a
batch: the store never puts two operations on the same document into one batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from elasticsearch import ApiError

from academichub.store.elastic.backoff import TOO_MANY_REQUESTS, Backoff
from academichub.store.elastic.errors import BulkItemFailed, Overloaded

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

CONFLICT: Final = 409
NOT_FOUND: Final = 404

# "true": refresh at once; "wait_for": answer once a refresh made the write searchable.
Refresh = Literal["true", "wait_for"] | None


@dataclass(frozen=True)
class Operation:
    action: Literal["index", "create", "update", "delete"]
    index: str
    doc_id: str
    source: Mapping[str, Any]  # the document (index, create), the update body; delete: none
    version: int | None = None  # an external version (index only)
    # "external": refused unless newer than the stored version; "external_gte": unless at
    # least as new (rewrites one version in place).
    version_type: Literal["external", "external_gte"] = "external"
    retry_on_conflict: int | None = None  # update only: re-read and retry on a race
    # Refuse the write unless ``index`` is an alias (instead of auto-creating an index).
    require_alias: bool = False
    outcomes: frozenset[int] = field(default_factory=frozenset)

    def lines(self) -> tuple[dict[str, Any], ...]:
        meta: dict[str, Any] = {"_index": self.index, "_id": self.doc_id}
        if self.version is not None:
            meta["version"] = self.version
            meta["version_type"] = self.version_type
        if self.retry_on_conflict is not None:
            meta["retry_on_conflict"] = self.retry_on_conflict
        if self.require_alias:
            meta["require_alias"] = True
        if self.action == "delete":  # a delete is its action line alone
            return ({self.action: meta},)
        return {self.action: meta}, dict(self.source)


@dataclass(frozen=True)
class ItemResult:
    status: int
    result: str | None  # "created", "updated", "noop" ...; None for an error
    version: int | None  # the document's _version after the operation, when reported
    error_type: str | None = None


def bulk_write(
    client: Elasticsearch,
    operations: Sequence[Operation],
    *,
    batch_size: int,
    backoff: Backoff,
    refresh: Refresh,
) -> list[ItemResult]:
    """Apply ``operations`` in batches of at most ``batch_size``; their results in order."""
    results: list[ItemResult] = []
    for start in range(0, len(operations), batch_size):
        results.extend(
            _write_batch(client, operations[start : start + batch_size], backoff, refresh)
        )
    return results


def _write_batch(
    client: Elasticsearch, batch: Sequence[Operation], backoff: Backoff, refresh: Refresh
) -> list[ItemResult]:
    settled: dict[int, ItemResult] = {}
    pending = list(range(len(batch)))
    for attempt in range(backoff.attempts):
        if attempt:
            backoff.pause(attempt)
        try:
            response = client.bulk(
                operations=[line for i in pending for line in batch[i].lines()], refresh=refresh
            )
        except ApiError as exc:
            if exc.status_code != TOO_MANY_REQUESTS:
                raise
            continue  # the whole request was pushed back: send it all again
        rejected = []
        for i, item in zip(pending, response.body["items"], strict=True):
            result = _item_result(item)
            if result.status == TOO_MANY_REQUESTS:
                rejected.append(i)
            else:
                settled[i] = _accepted(batch[i], item, result)
        if not rejected:
            return [settled[i] for i in range(len(batch))]
        pending = rejected
    raise Overloaded(
        f"bulk write: {len(pending)} of {len(batch)} operations still rejected with 429 "
        f"after {backoff.attempts} attempts"
    )


def _item_result(item: Mapping[str, Any]) -> ItemResult:
    # Each item is {"<action>": {...}}: one key, the action it answers.
    (body,) = item.values()
    error = body.get("error")
    version = body.get("_version")
    return ItemResult(
        status=int(body["status"]),
        result=body.get("result"),
        version=None if version is None else int(version),
        error_type=None if error is None else str(error.get("type")),
    )


def _accepted(operation: Operation, item: Mapping[str, Any], result: ItemResult) -> ItemResult:
    if 200 <= result.status < 300 or result.status in operation.outcomes:
        return result
    (body,) = item.values()
    error = body.get("error") or {}
    raise BulkItemFailed(
        operation.index,
        operation.doc_id,
        result.status,
        str(error.get("type", "unknown")),
        str(error.get("reason", "")),
    )
