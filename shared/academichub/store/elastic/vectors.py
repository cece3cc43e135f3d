"""Vectors in Elasticsearch (:class:`~academichub.store.port.VectorStore`).

Each embedding model has its own index of papers' vectors (:func:`~.mappings.paper_vectors_spec`),
created the first time this process needs it: one document per paper, ``_id`` its id,
written with the paper's version as external version, so that an older or equal version
(a replay, a stale version) is refused by Elasticsearch itself and reported as not
written. Texts' vectors (described interests) are in a second index, by the text's digest.

Nearest papers are a kNN search (HNSW, approximate) with the search filters inside
``knn.filter`` (Elasticsearch applies them during the graph search, so ``k`` papers come
back whenever ``k`` pass them), ``num_candidates`` ten times ``k``. With
``dot_product`` similarity a hit's ``_score`` is ``(1 + cosine) / 2``; the cosine is
given back. Reads by id are real-time; the window and kNN are searches (near-real-time).
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from academichub.embedding.port import EmbeddingModel, Vectors
from academichub.store.elastic import mappings as f
from academichub.store.elastic.bulk import CONFLICT, Operation
from academichub.store.elastic.cluster import Cluster, filtered
from academichub.store.elastic.documents import version_of, version_rank
from academichub.store.elastic.query import compile_filters
from academichub.store.port import NO_FILTERS, Neighbour, PaperVector, SearchFilters, VectorWindow
from academichub.store.vector_codec import (
    check_vector,
    from_bytes,
    model_digest,
    text_digest,
    to_bytes,
)

_CONFLICT_ONLY: Final = frozenset({CONFLICT})
_FIELDS: Final = [f.ID, "version_rank", f.PUBLISHED, f.SOURCE, f.CATEGORY_EXACT, f.VECTOR_STORED]
MAX_CANDIDATES: Final = 10_000  # Elasticsearch's bound on num_candidates


def _stored(model: EmbeddingModel, vector: Vectors) -> dict[str, str]:
    return {"model": model.key, "vector": base64.b64encode(to_bytes(model, vector)).decode()}


def _vector(model: EmbeddingModel, stored: Mapping[str, Any]) -> Vectors:
    if stored.get("model") != model.key:
        raise ValueError(f"a vector of {stored.get('model')!r} where {model.key} was expected")
    return from_bytes(model, base64.b64decode(stored["vector"]))


class ElasticsearchVectors:
    """The vector indices of ``cluster``."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._names = cluster.names
        self._ready: set[str] = set()
        self._lock = threading.Lock()

    def _papers_index(self, model: EmbeddingModel) -> str:
        spec = f.paper_vectors_spec(self._names, model_digest(model), model.dimension)
        self._ensure(spec)
        return spec.name

    def _texts_index(self, model: EmbeddingModel) -> str:
        spec = f.text_vectors_spec(self._names, model_digest(model))
        self._ensure(spec)
        return spec.name

    def _ensure(self, spec: f.IndexSpec) -> None:
        with self._lock:
            if spec.name in self._ready:
                return
            es = self._cluster.live()
            self._cluster.call(f.ensure_index, es, spec)
            self._ready.add(spec.name)

    # --- papers -------------------------------------------------------------------
    def put_vectors(self, model: EmbeddingModel, vectors: Sequence[PaperVector]) -> list[bool]:
        if not vectors:
            return []
        index = self._papers_index(model)
        operations = [
            Operation(
                "index",
                index,
                row.paper_id,
                {
                    f.ID: row.paper_id,
                    "version_rank": version_rank(row.version),
                    f.PUBLISHED: row.published.isoformat(),
                    f.SOURCE: row.source,
                    f.CATEGORY_EXACT: list(row.categories),
                    f.VECTOR: [float(x) for x in check_vector(model, row.vector)],
                    f.VECTOR_STORED: _stored(model, row.vector),
                },
                version=version_rank(row.version),
                outcomes=_CONFLICT_ONLY,
            )
            for row in vectors
        ]
        results = self._cluster.bulk(operations)
        return [r.status != CONFLICT for r in results]

    def vectors_held(
        self, model: EmbeddingModel, keys: Iterable[tuple[str, int | None]]
    ) -> set[tuple[str, int | None]]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return set()
        found = self._cluster.mget(
            self._papers_index(model),
            sorted({k[0] for k in wanted}),
            source=["version_rank"],
        )
        return {
            (paper_id, version)
            for paper_id, version in wanted
            if paper_id in found
            and int(found[paper_id]["_source"]["version_rank"]) >= version_rank(version)
        }

    def paper_vectors(
        self, model: EmbeddingModel, paper_ids: Iterable[str]
    ) -> dict[str, PaperVector]:
        wanted = list(dict.fromkeys(paper_ids))
        if not wanted:
            return {}
        found = self._cluster.mget(self._papers_index(model), wanted, source=_FIELDS)
        return {i: _paper_vector(model, found[i]["_source"]) for i in wanted if i in found}

    def window(self, model: EmbeddingModel, since: dt.date, until: dt.date) -> VectorWindow:
        index = self._papers_index(model)
        self._cluster.make_visible(index)
        hits = self._cluster.scan(
            index,
            filtered(
                {"range": {f.PUBLISHED: {"gte": since.isoformat(), "lte": until.isoformat()}}}
            ),
            [{f.ID: "asc"}],
            _FIELDS,
        )
        return VectorWindow.of(model, [_paper_vector(model, h["_source"]) for h in hits])

    def nearest(
        self,
        model: EmbeddingModel,
        vector: Vectors,
        *,
        limit: int,
        filters: SearchFilters = NO_FILTERS,
        exclude: Iterable[str] = (),
    ) -> list[Neighbour]:
        query = check_vector(model, vector)
        if limit <= 0:
            return []
        left_out = sorted(set(exclude))
        restriction: dict[str, Any] = {"bool": {"filter": compile_filters(filters)}}
        if left_out:
            restriction["bool"]["must_not"] = [{"terms": {f.ID: left_out}}]
        body = {
            "knn": {
                "field": f.VECTOR,
                "query_vector": [float(x) for x in query],
                "k": limit,
                "num_candidates": min(MAX_CANDIDATES, max(100, 10 * limit)),
                "filter": restriction,
            },
            "size": limit,
            "_source": [f.ID],
        }
        hits = self._cluster.search(self._papers_index(model), body)["hits"]["hits"]
        return [
            Neighbour(str(h["_source"][f.ID]), round(2.0 * float(h["_score"]) - 1.0, 6))
            for h in hits
        ]

    def count_vectors(self, model: EmbeddingModel) -> int:
        index = self._papers_index(model)
        self._cluster.make_visible(index)
        es = self._cluster.live()
        return int(self._cluster.call(es.count, index=index).body["count"])

    # --- texts --------------------------------------------------------------------
    def put_text_vectors(self, model: EmbeddingModel, vectors: Mapping[str, Vectors]) -> None:
        if not vectors:
            return
        index = self._texts_index(model)
        self._cluster.bulk(
            [
                Operation("index", index, text_digest(text), {f.VECTOR_STORED: _stored(model, v)})
                for text, v in vectors.items()
            ]
        )

    def text_vectors(self, model: EmbeddingModel, texts: Iterable[str]) -> dict[str, Vectors]:
        by_digest = {text_digest(t): t for t in texts}
        if not by_digest:
            return {}
        found = self._cluster.mget(
            self._texts_index(model), list(by_digest), source=[f.VECTOR_STORED]
        )
        return {
            by_digest[d]: _vector(model, doc["_source"][f.VECTOR_STORED])
            for d, doc in found.items()
        }


def _paper_vector(model: EmbeddingModel, source: Mapping[str, Any]) -> PaperVector:
    categories = source.get(f.CATEGORY_EXACT) or []
    return PaperVector(
        str(source[f.ID]),
        version_of(int(source["version_rank"])),
        dt.date.fromisoformat(str(source[f.PUBLISHED])),
        str(source[f.SOURCE]),
        tuple(categories if isinstance(categories, list) else [categories]),
        _vector(model, source[f.VECTOR_STORED]),
    )
