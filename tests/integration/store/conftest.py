"""The adapter every store contract suite runs against (its ``store`` fixture).

Each suite (``test_*_contract.py``) holds the contract of one part of
:class:`academichub.store.port.Store`; each runs against :class:`InMemoryStore` (the
reference semantics), :class:`EmbeddedStore` (SQLite + tantivy on a temporary folder) and,
when ``ACADEMICHUB_TEST_ELASTICSEARCH_URL`` points at a cluster, :class:`ElasticsearchStore`
(fresh indices under a unique prefix per test, deleted afterwards);
``test_elastic_contract.py`` runs them all on the fake cluster too. Every idempotency rule
of :mod:`academichub.store.port` is exercised, because every topic may be replayed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from academichub.store.elastic import ElasticsearchStore
from academichub.store.embedded import EmbeddedStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import Store
from tests.support.live_elasticsearch import live_cluster


@pytest.fixture(params=["memory", "embedded", "elasticsearch"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store
    if request.param == "memory":
        opened = InMemoryStore()
    elif request.param == "embedded":
        opened = EmbeddedStore(tmp_path / "data", index_writer=True)
    else:
        yield from _elasticsearch_store()
        return
    yield opened
    opened.close()


def _elasticsearch_store() -> Iterator[Store]:
    with live_cluster() as (client, prefix):
        # refresh=True: every write is searchable at once, as in the other adapters.
        opened = ElasticsearchStore(client, prefix=prefix, refresh=True)
        yield opened
        opened.close()
