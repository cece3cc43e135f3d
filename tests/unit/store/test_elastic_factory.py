"""The factory opens the Elasticsearch adapter for every role (store, accounts, facets),
creating its indices at start; a fake cluster stands in for the client it would build."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from academichub.platform.settings import CommonSettings
from academichub.store import factory
from academichub.store.accounts import User
from academichub.store.elastic import (
    ElasticsearchAccountStore,
    ElasticsearchFacets,
    ElasticsearchStore,
    ElasticsearchStoreError,
)
from academichub.store.facets import ScanFacets
from academichub.store.memory import InMemoryStore
from tests.support.fake_elasticsearch import FakeElasticsearch

T0 = dt.datetime(2026, 6, 12, 9, 0, tzinfo=dt.UTC)
ON_ELASTICSEARCH = CommonSettings(store="elasticsearch", elasticsearch_url="http://127.0.0.1:9")


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> FakeElasticsearch:
    fake = FakeElasticsearch()
    monkeypatch.setattr(factory, "_elasticsearch_client", lambda common: fake.client())
    return fake


def test_every_role_opens_on_elasticsearch(cluster: FakeElasticsearch) -> None:
    store = factory.open_store(ON_ELASTICSEARCH, index_writer=False)
    assert isinstance(store, ElasticsearchStore)
    store.ping()  # every index exists: created at start
    accounts = factory.open_accounts(ON_ELASTICSEARCH, store)
    assert isinstance(accounts, ElasticsearchAccountStore)
    assert isinstance(factory.open_facets(store), ElasticsearchFacets)
    accounts.add_user(User("u_1", "Ada", "ada@example.org", False, T0))
    accounts.close()  # its own view: the store keeps working
    store.add_token_usage(T0.date(), ["radar:r1"], 3)
    assert store.token_usage(T0.date(), ["radar:r1"]) == {"radar:r1": 3}
    store.close()
    with pytest.raises(ElasticsearchStoreError, match="closed"):
        store.ping()
    cluster.assert_clean()


def test_accounts_alone_open_their_own_client(cluster: FakeElasticsearch) -> None:
    accounts = factory.open_accounts(ON_ELASTICSEARCH)
    accounts.add_user(User("u_1", "Ada", "ada@example.org", False, T0))
    assert accounts.user_by_email("ADA@example.org") is not None
    accounts.close()
    assert "academichub-user-emails" in cluster.indices
    cluster.assert_clean()


def test_the_embedded_and_other_stores_keep_their_own_facets(tmp_path: Path) -> None:
    from academichub.store.embedded import EmbeddedStore
    from academichub.store.embedded.facets import EmbeddedFacets

    embedded = factory.open_store(CommonSettings(data_dir=tmp_path), index_writer=True)
    try:
        assert isinstance(embedded, EmbeddedStore)
        assert isinstance(factory.open_facets(embedded), EmbeddedFacets)
    finally:
        embedded.close()
    assert isinstance(factory.open_facets(InMemoryStore()), ScanFacets)
