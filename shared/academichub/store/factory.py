"""Open the store a process is configured for: the one place that picks an adapter."""

from __future__ import annotations

from academichub.platform.settings import CommonSettings
from academichub.store.port import Store


def open_store(common: CommonSettings, *, index_writer: bool) -> Store:
    """The embedded store (``index_writer`` says whether this process writes the full-text
    index) or Elasticsearch (every process writes; the flag does not apply)."""
    if common.store == "elasticsearch":
        from elasticsearch import Elasticsearch

        from academichub.store.elastic import ElasticsearchStore, ensure_indices

        assert common.elasticsearch_url is not None  # enforced by CommonSettings
        key = common.elasticsearch_api_key
        client = Elasticsearch(
            [u.strip() for u in common.elasticsearch_url.split(",")],
            api_key=key.get_secret_value() if key else None,
            request_timeout=30,
        )
        ensure_indices(client, common.elasticsearch_prefix)
        return ElasticsearchStore(client, prefix=common.elasticsearch_prefix)
    from academichub.store.embedded import EmbeddedStore

    return EmbeddedStore(common.data_dir, index_writer=index_writer)
