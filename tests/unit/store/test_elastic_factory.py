"""The factory opens the Elasticsearch adapter with every part (accounts and facets among
them), creating its indices at start; a fake cluster stands in for the client it would
build."""

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


def test_every_part_opens_on_elasticsearch(cluster: FakeElasticsearch) -> None:
    store = factory.open_store(ON_ELASTICSEARCH, index_writer=False)
    assert isinstance(store, ElasticsearchStore)
    store.ping()  # every index exists: created at start
    assert isinstance(store.accounts, ElasticsearchAccountStore)
    assert isinstance(store.facets, ElasticsearchFacets)
    store.accounts.add_user(User("u_1", "Ada", "ada@example.org", False, T0))
    assert store.accounts.user_by_email("ADA@example.org") is not None
    assert "academichub-user-emails" in cluster.indices
    store.briefer.add_token_usage(T0.date(), ["radar:r1"], 3)
    assert store.briefer.token_usage(T0.date(), ["radar:r1"]) == {"radar:r1": 3}
    store.close()
    with pytest.raises(ElasticsearchStoreError, match="closed"):
        store.ping()
    with pytest.raises(ElasticsearchStoreError, match="closed"):
        store.accounts.get_user("u_1")  # every part closes with the store
    cluster.assert_clean()


def test_the_embedded_and_other_stores_keep_their_own_facets(tmp_path: Path) -> None:
    from academichub.store.embedded import EmbeddedStore
    from academichub.store.embedded.facets import EmbeddedFacets

    embedded = factory.open_store(CommonSettings(data_dir=tmp_path), index_writer=True)
    try:
        assert isinstance(embedded, EmbeddedStore)
        assert isinstance(embedded.facets, EmbeddedFacets)
    finally:
        embedded.close()
    assert isinstance(InMemoryStore().facets, ScanFacets)
