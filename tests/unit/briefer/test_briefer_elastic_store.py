"""The briefer starts on the Elasticsearch store (no longer refused): the store it opens
holds the briefer's own state."""

from __future__ import annotations

import datetime as dt

import pytest

from academichub.briefer.bootstrap import _open_configured_store
from academichub.briefer.settings import BrieferSettings
from academichub.platform.settings import CommonSettings
from academichub.store import factory
from academichub.store.elastic import ElasticsearchStore
from academichub.store.port import PaperSummary
from tests.support.fake_elasticsearch import FakeElasticsearch

T0 = dt.datetime(2026, 6, 12, 9, 0, tzinfo=dt.UTC)


def test_the_briefer_opens_the_elasticsearch_store(monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = FakeElasticsearch()
    monkeypatch.setattr(factory, "_elasticsearch_client", lambda common: cluster.client())
    common = CommonSettings(store="elasticsearch", elasticsearch_url="http://127.0.0.1:9")
    store = _open_configured_store(BrieferSettings(common=common))()
    try:
        assert isinstance(store, ElasticsearchStore)
        summary = PaperSummary("arxiv:2606.00001", 1, "tl;dr", "摘要", "m", T0)
        assert store.briefer.put_summaries([summary, summary]) == 1
        assert store.briefer.get_summaries([summary.key]) == {summary.key: summary}
    finally:
        store.close()
    cluster.assert_clean()
