"""A live Elasticsearch cluster for the contract suites, when one is configured.

``ACADEMICHUB_TEST_ELASTICSEARCH_URL`` names it; without it the test is skipped. Each use
gets fresh indices under a unique prefix, deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from elasticsearch import Elasticsearch

from academichub.store.elastic.mappings import IndexNames, ensure_indices, index_specs

ELASTICSEARCH_URL = "ACADEMICHUB_TEST_ELASTICSEARCH_URL"


@contextmanager
def live_cluster() -> Iterator[tuple[Elasticsearch, str]]:
    """(client, index prefix) with every index created."""
    url = os.environ.get(ELASTICSEARCH_URL)
    if not url:
        pytest.skip(f"{ELASTICSEARCH_URL} is not set (the URL of an Elasticsearch cluster to test)")
    client = Elasticsearch(url)
    prefix = f"academichub-test-{uuid.uuid4().hex[:12]}"
    names = [spec.name for spec in index_specs(IndexNames(prefix))]
    try:
        ensure_indices(client, prefix)
        yield client, prefix
    finally:
        # By name: clusters refuse wildcard deletes (action.destructive_requires_name).
        client.indices.delete(index=names, ignore_unavailable=True)
        client.close()
