"""Open the store a process is configured for: the one place that picks an adapter.

``ACADEMICHUB_STORE=embedded`` (SQLite + tantivy in ``ACADEMICHUB_DATA_DIR``) or
``elasticsearch`` (``ACADEMICHUB_ELASTICSEARCH_URL``, optional API key and index prefix):
every service opens its store, accounts and facet counter here, so all of them run on
either adapter. With Elasticsearch each process creates any missing index at start
(:func:`~academichub.store.elastic.ensure_indices`; safe from every process at once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from academichub.platform.settings import CommonSettings
from academichub.store.accounts import AccountStore
from academichub.store.facets import FacetStore, ScanFacets
from academichub.store.port import (
    BriefingDeliveryStore,
    DeadLetterLog,
    PreprintLinkStore,
    Store,
    SummaryStore,
    TokenUsageStore,
)

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


class OpenedStore(
    Store, PreprintLinkStore, SummaryStore, BriefingDeliveryStore, TokenUsageStore, Protocol
):
    """What both adapters hold: the whole port, the preprint links and the briefer's state."""

    @property
    def dead_letters(self) -> DeadLetterLog: ...


class OpenedAccounts(AccountStore, Protocol):
    def close(self) -> None: ...


def open_store(common: CommonSettings, *, index_writer: bool) -> OpenedStore:
    """The embedded store (``index_writer`` says whether this process writes the full-text
    index) or Elasticsearch (every process writes; the flag does not apply). Closing the
    store closes everything it opened."""
    if common.store == "elasticsearch":
        from academichub.store.elastic import ElasticsearchStore

        client = _prepared_client(common)
        return ElasticsearchStore(client, prefix=common.elasticsearch_prefix, owns_client=True)
    from academichub.store.embedded import EmbeddedStore

    return EmbeddedStore(common.data_dir, index_writer=index_writer)


def open_accounts(common: CommonSettings, store: Store | None = None) -> OpenedAccounts:
    """The accounts of the configured adapter. Beside an open Elasticsearch ``store`` they
    share its client (close the accounts first); otherwise they open their own."""
    if common.store == "elasticsearch":
        from academichub.store.elastic import (
            Cluster,
            ElasticsearchAccountStore,
            ElasticsearchStore,
        )

        if isinstance(store, ElasticsearchStore):
            return ElasticsearchAccountStore(store.cluster.shared())
        client = _prepared_client(common)
        return ElasticsearchAccountStore(
            Cluster(client, prefix=common.elasticsearch_prefix, owns_client=True)
        )
    from academichub.store.embedded.accounts import EmbeddedAccountStore

    return EmbeddedAccountStore(common.data_dir)


def open_facets(store: Store) -> FacetStore:
    """The facet counter of ``store``'s adapter: aggregations on Elasticsearch, the tantivy
    index of an embedded store, else counting every matching paper."""
    from academichub.store.elastic import ElasticsearchFacets, ElasticsearchStore

    if isinstance(store, ElasticsearchStore):
        return ElasticsearchFacets(store.cluster)
    from academichub.store.embedded import EmbeddedStore

    if isinstance(store, EmbeddedStore):
        from academichub.store.embedded.facets import EmbeddedFacets

        return EmbeddedFacets(store.data_dir)
    return ScanFacets(store)


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
