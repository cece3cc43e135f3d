"""The fake cluster (tests/support/fake_elasticsearch.py) is as strict as a cluster: the
contract suites run against it only mean something if it refuses what Elasticsearch
refuses and hides what Elasticsearch has not refreshed yet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import BadRequestError, ConflictError, Elasticsearch, NotFoundError

from academichub.store.elastic import ElasticsearchStore, ensure_indices
from tests.integration.store.factories import paper
from tests.support.elastic_dsl import Unsupported
from tests.support.fake_elasticsearch import FakeElasticsearch

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "name": {"type": "keyword", "ignore_above": 10},
        "n": {"type": "long"},
        "day": {"type": "date", "format": "strict_date"},
        "at": {"type": "date_nanos"},
        "text": {"type": "text", "analyzer": "ws"},
        "blob": {"type": "object", "enabled": False},
    },
}
SETTINGS = {
    "analysis": {
        "tokenizer": {"w": {"type": "whitespace"}},
        "analyzer": {"ws": {"type": "custom", "tokenizer": "w"}},
    }
}


@pytest.fixture
def fake() -> FakeElasticsearch:
    return FakeElasticsearch()


@pytest.fixture
def es(fake: FakeElasticsearch) -> Iterator[Elasticsearch]:
    client = fake.client()
    client.indices.create(index="t", mappings=MAPPINGS, settings=SETTINGS)
    yield client
    client.close()


def _ids(es: Elasticsearch, body: dict[str, Any]) -> list[str]:
    return [h["_id"] for h in es.search(index="t", body=body).body["hits"]["hits"]]


def test_a_strict_mapping_refuses_undeclared_fields_and_wrong_types(es: Elasticsearch) -> None:
    with pytest.raises(BadRequestError, match="strict_dynamic_mapping_exception"):
        es.index(index="t", id="1", document={"nme": "x"})
    with pytest.raises(BadRequestError, match="document_parsing_exception"):
        es.index(index="t", id="1", document={"n": "12"})
    with pytest.raises(BadRequestError, match="document_parsing_exception"):
        es.index(index="t", id="1", document={"day": "2026-06-12T00:00:00"})
    with pytest.raises(BadRequestError, match="document_parsing_exception"):
        es.index(index="t", id="1", document={"blob": "not an object"})
    response = es.bulk(operations=[{"index": {"_index": "t", "_id": "2"}}, {"extra": 1}])
    assert response.body["errors"] is True
    assert response.body["items"][0]["index"]["status"] == 400


def test_writes_to_a_missing_index_are_refused(es: Elasticsearch) -> None:
    with pytest.raises(NotFoundError, match="index_not_found_exception"):
        es.index(index="missing", id="1", document={})
    with pytest.raises(NotFoundError, match="index_not_found_exception"):
        es.search(index="missing", body={})


def test_versions_and_conditional_writes(es: Elasticsearch) -> None:
    es.index(index="t", id="1", document={"n": 1}, version=3, version_type="external")
    with pytest.raises(ConflictError):
        es.index(index="t", id="1", document={"n": 2}, version=3, version_type="external")
    with pytest.raises(ConflictError):
        es.create(index="t", id="1", document={"n": 2})
    stored = es.get(index="t", id="1").body
    assert stored["_version"] == 3
    es.update(
        index="t",
        id="1",
        doc={"n": 5},
        if_seq_no=stored["_seq_no"],
        if_primary_term=stored["_primary_term"],
    )
    with pytest.raises(ConflictError):  # the sequence number moved on
        es.update(
            index="t",
            id="1",
            doc={"n": 6},
            if_seq_no=stored["_seq_no"],
            if_primary_term=stored["_primary_term"],
        )
    assert es.update(index="t", id="1", doc={"n": 5}).body["result"] == "noop"


def test_searches_see_only_what_was_refreshed(es: Elasticsearch) -> None:
    es.index(index="t", id="1", document={"name": "a"})
    assert es.get(index="t", id="1").body["found"]  # gets are real-time
    assert _ids(es, {"query": {"match_all": {}}}) == []
    assert es.count(index="t").body["count"] == 0
    es.index(index="t", id="2", document={"name": "b"}, refresh="wait_for")
    assert _ids(es, {"query": {"match_all": {}}, "sort": [{"name": "asc"}]}) == ["1", "2"]
    es.delete(index="t", id="1")
    assert es.count(index="t").body["count"] == 2  # until the next refresh
    es.indices.refresh(index="t")
    assert es.count(index="t").body["count"] == 1


def test_search_answers_as_elasticsearch_does(es: Elasticsearch) -> None:
    for i in range(12):
        es.index(index="t", id=f"d{i:02}", document={"n": i, "name": f"k{i % 3}"})
    es.indices.refresh(index="t")
    body = es.search(index="t", body={"query": {"match_all": {}}}).body["hits"]
    assert len(body["hits"]) == 10  # the default size
    assert body["total"] == {"value": 12, "relation": "eq"}
    untracked = {"query": {"match_all": {}}, "track_total_hits": False, "sort": [{"n": "desc"}]}
    hits = es.search(index="t", body=untracked).body["hits"]
    assert "total" not in hits
    assert hits["hits"][0]["_score"] is None  # sorted by a field: nothing scored
    assert hits["hits"][0]["sort"] == [11]
    after = {**untracked, "size": 3, "search_after": [5]}
    assert _ids(es, after) == ["d04", "d03", "d02"]
    with pytest.raises(BadRequestError, match="Result window is too large"):
        es.search(index="t", body={"from": 9995, "size": 10})
    counted = es.search(
        index="t",
        body={"size": 0, "aggs": {"k": {"terms": {"field": "name", "size": 2}}}},
    ).body["aggregations"]["k"]
    assert counted["buckets"] == [{"key": "k0", "doc_count": 4}, {"key": "k1", "doc_count": 4}]
    assert counted["sum_other_doc_count"] == 4


def test_sorting_on_text_is_refused_and_unknown_things_fail_loudly(
    fake: FakeElasticsearch, es: Elasticsearch
) -> None:
    with pytest.raises(BadRequestError, match="Text fields are not optimised"):
        es.search(index="t", body={"sort": [{"text": "asc"}]})
    with pytest.raises(Unsupported, match="does not declare"):
        es.search(index="t", body={"query": {"term": {"nmae": "a"}}})
    with pytest.raises(Unsupported, match="does not know the query"):
        es.search(index="t", body={"query": {"fuzzy": {"name": {"value": "a"}}}})
    with pytest.raises(Unsupported, match="unexpected parameters"):
        es.get(index="t", id="1", routing="x")
    with pytest.raises(Unsupported, match="one script shape"):
        es.update(index="t", id="1", script={"source": "ctx._source.n = 1"}, upsert={"n": 0})
    with pytest.raises(AssertionError, match="the fake refused requests"):
        fake.assert_clean()


def test_the_adapters_indices_are_accepted_and_refreshed_writes_found(
    fake: FakeElasticsearch,
) -> None:
    client = fake.client()
    ensure_indices(client)
    ensure_indices(client)  # a second process: every index exists, mappings put again
    store = ElasticsearchStore(client)
    store.papers.upsert_papers([paper(1, "Quantum codes")])
    assert store.papers.count_papers() == 0  # written, not refreshed: not counted yet
    client.indices.refresh(index="academichub-papers")
    assert store.papers.count_papers() == 1
    assert store.papers.get_paper(paper(1).id) is not None
    fake.assert_clean()


def test_dense_vectors_are_checked_and_searched_as_documented(fake: FakeElasticsearch) -> None:
    client = fake.client()
    vector = {"type": "dense_vector", "dims": 2, "index": True, "similarity": "dot_product"}
    client.indices.create(
        index="v",
        mappings={"dynamic": "strict", "properties": {"v": vector, "k": {"type": "keyword"}}},
    )
    client.index(index="v", id="a", document={"v": [1.0, 0.0], "k": "x"}, refresh=True)
    client.index(index="v", id="b", document={"v": [0.6, 0.8], "k": "y"}, refresh=True)
    with pytest.raises(BadRequestError, match="different number of dimensions"):
        client.index(index="v", id="c", document={"v": [1.0, 0.0, 0.0]})
    with pytest.raises(BadRequestError, match="unit-length"):
        client.index(index="v", id="c", document={"v": [2.0, 0.0]})
    hits = client.search(
        index="v", knn={"field": "v", "query_vector": [0.0, 1.0], "k": 2, "num_candidates": 10}
    )["hits"]["hits"]
    assert [(h["_id"], h["_score"]) for h in hits] == [("b", pytest.approx(0.9)), ("a", 0.5)]
    only_x = client.search(
        index="v",
        knn={
            "field": "v",
            "query_vector": [0.0, 1.0],
            "k": 2,
            "num_candidates": 10,
            "filter": {"term": {"k": "x"}},
        },
    )["hits"]["hits"]
    assert [h["_id"] for h in only_x] == ["a"]
    with pytest.raises(BadRequestError, match="num_candidates"):
        client.search(
            index="v", knn={"field": "v", "query_vector": [0.0, 1.0], "k": 5, "num_candidates": 2}
        )
    with pytest.raises(BadRequestError, match="unit-length"):
        client.search(
            index="v", knn={"field": "v", "query_vector": [0.0, 3.0], "k": 1, "num_candidates": 2}
        )
    client.close()
