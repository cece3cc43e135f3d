"""Open the store a process is configured for: the one place that picks an adapter.

``ACADEMICHUB_STORE=embedded`` (SQLite + tantivy in ``ACADEMICHUB_DATA_DIR``) or
``elasticsearch`` (``ACADEMICHUB_ELASTICSEARCH_URL``, optional API key and index prefix):
every service opens its store here, and its composition root hands each component the
parts it uses, so all of them run on either adapter. With Elasticsearch each process
creates any missing index at start (:func:`~academichub.store.elastic.ensure_indices`;
safe from every process at once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from academichub.platform.settings import CommonSettings
from academichub.store.port import Store

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def open_store(common: CommonSettings, *, index_writer: bool) -> Store:
    """The embedded store (``index_writer`` says whether this process writes the full-text
    index) or Elasticsearch (every process writes; the flag does not apply). Closing the
    store closes everything it opened."""
    if common.store == "elasticsearch":
        from academichub.store.elastic import ElasticsearchStore

        client = _prepared_client(common)
        return ElasticsearchStore(client, prefix=common.elasticsearch_prefix, owns_client=True)
    from academichub.store.embedded import EmbeddedStore

    return EmbeddedStore(common.data_dir, index_writer=index_writer)


def _prepared_client(common: CommonSettings) -> Elasticsearch:
    """A client of the configured cluster whose indices exist (closed again if they
    cannot be made)."""
    from academichub.store.elastic import ensure_indices

    client = _elasticsearch_client(common)
    try:
        ensure_indices(client, common.elasticsearch_prefix)
    except BaseException:
        client.close()
        raise
    return client


def _elasticsearch_client(common: CommonSettings) -> Elasticsearch:
    from elasticsearch import Elasticsearch

    assert common.elasticsearch_url is not None  # enforced by CommonSettings
    key = common.elasticsearch_api_key
    hosts = [u.strip() for u in common.elasticsearch_url.split(",")]
    api_key = key.get_secret_value() if key else None
    ca = common.elasticsearch_ca_certs
    if ca is not None:
        # https:// URLs verified against this CA rather than the system's trust store.
        return Elasticsearch(hosts, api_key=api_key, request_timeout=30, ca_certs=str(ca))
    return Elasticsearch(hosts, api_key=api_key, request_timeout=30)
