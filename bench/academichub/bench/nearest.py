"""``academichub bench nearest``: nearest papers by brute force in the embedded store.

For each store size, a fresh embedded store in a temporary folder gets that many papers'
vectors (random unit vectors of the packaged model's 384 dimensions, spread over a year,
three sources and twenty categories), written as the embedding role writes them. Then,
in this one process, as the gateway would:

* the first search, which loads every vector into the process's matrix;
* searches after that (the matrix loaded; a few rows written between searches are
  loaded incrementally, as in service), without filters and with a category and a date
  filter: median and 95th percentile milliseconds, on one BLAS thread;
* the memory the matrix holds.

It prints where brute force stops being fast enough for a search box: when the median
search passes :data:`FAST_ENOUGH_MS` (or the matrix passes a gigabyte).
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Final

import numpy as np

from academichub.embedding.minilm import MODEL_NAME, PINNED
from academichub.embedding.port import EmbeddingModel
from academichub.platform.blas import limit_blas_threads
from academichub.store.embedded import EmbeddedStore
from academichub.store.port import NO_FILTERS, PaperVector, SearchFilters

FAST_ENOUGH_MS: Final = 100.0
MODEL: Final = EmbeddingModel(MODEL_NAME, f"sha256:{PINNED.weights}", 384)
WRITE_BATCH: Final = 5000
SEARCHES: Final = 40


def _rows(rng: np.random.Generator, start: int, count: int) -> list[PaperVector]:
    vectors = rng.standard_normal((count, MODEL.dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    day0 = dt.date(2025, 1, 1)
    return [
        PaperVector(
            f"arxiv:2501.{start + i:05d}" if start + i < 100_000 else f"doi:10.1000/b{start + i}",
            1,
            day0 + dt.timedelta(days=(start + i) % 365),
            ("arxiv", "biorxiv", "journal:nature")[(start + i) % 3],
            (f"cat.{(start + i) % 20}",),
            vectors[i],
        )
        for i in range(count)
    ]


def _timed(store: EmbeddedStore, rng: np.random.Generator, filters: SearchFilters) -> list[float]:
    out = []
    for _ in range(SEARCHES):
        query = rng.standard_normal(MODEL.dimension).astype(np.float32)
        query /= np.linalg.norm(query)
        started = time.perf_counter()
        store.vectors.nearest(MODEL, query, limit=10, filters=filters)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _line(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"  {label:<26} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms"


def run_bench_nearest(sizes: list[int]) -> int:
    limit_blas_threads(1)
    rng = np.random.default_rng(7)
    print(f"nearest papers by brute force, embedded store, {MODEL.dimension} dimensions")
    verdict = None
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            store = EmbeddedStore(Path(folder), index_writer=False)
            try:
                started = time.perf_counter()
                for start in range(0, size, WRITE_BATCH):
                    store.vectors.put_vectors(
                        MODEL, _rows(rng, start, min(WRITE_BATCH, size - start))
                    )
                written = time.perf_counter() - started
                started = time.perf_counter()
                store.vectors.nearest(MODEL, _rows(rng, 0, 1)[0].vector, limit=10)
                first = time.perf_counter() - started
                plain = _timed(store, rng, NO_FILTERS)
                category = _timed(store, rng, SearchFilters(categories=("cat.3",)))
                dated = _timed(
                    store,
                    rng,
                    SearchFilters(
                        published_from=dt.date(2025, 6, 1), published_to=dt.date(2025, 6, 30)
                    ),
                )
                store.vectors.put_vectors(MODEL, _rows(rng, size, 100))
                after_write = _timed(store, rng, NO_FILTERS)
                matrix_mb = size * MODEL.dimension * 4 / 1e6
                print(
                    f"{size:>9,} papers: written in {written:.1f} s; first search (loads the "
                    f"matrix) {first * 1000:.0f} ms; matrix {matrix_mb:,.0f} MB"
                )
                for label, times in (
                    ("no filter", plain),
                    ("one category of 20", category),
                    ("one month of a year", dated),
                    ("after 100 new vectors", after_write),
                ):
                    print(_line(label, times))
                if verdict is None and (
                    statistics.median(plain + category) > FAST_ENOUGH_MS or matrix_mb > 1000
                ):
                    verdict = size
            finally:
                store.close()
    if verdict is None:
        print(
            f"brute force stayed under {FAST_ENOUGH_MS:.0f} ms (median) up to {sizes[-1]:,} "
            "papers; past that size, or a matrix over 1 GB per searching process, use "
            "Elasticsearch's kNN"
        )
    else:
        print(
            f"brute force is no longer fast enough at {verdict:,} papers "
            f"(median over {FAST_ENOUGH_MS:.0f} ms, or a matrix over 1 GB): use Elasticsearch"
        )
    return 0
