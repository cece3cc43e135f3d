"""``academichub bench embed``: how fast the embedded model embeds abstracts on one core.

Loads (and verifies) the packaged all-MiniLM-L6-v2, then embeds the first ``papers``
recorded abstracts (title + abstract, the matcher's text) with BLAS on one thread, and
prints abstracts per CPU second and per wall second (they differ when the shared
machine is busy), with the word pieces per abstract.
"""

from __future__ import annotations

import time

from academichub.bench.corpus import recorded_papers
from academichub.embedding.minilm import MAX_SEQ_LENGTH, MiniLMEmbedder
from academichub.embedding.text import paper_text
from academichub.platform.blas import blas_threads, limit_blas_threads


def run_bench_embed(papers: int) -> int:
    limit_blas_threads(1)
    texts = [paper_text(p) for p in recorded_papers()[:papers]]
    started = time.perf_counter()
    embedder = MiniLMEmbedder.load()
    loaded = time.perf_counter() - started
    print(
        f"model: {embedder.model.key}\n"
        f"load and sha256 check: {loaded:.2f} s; BLAS threads: {blas_threads()}"
    )
    embedder.embed(texts[:4])  # first call: allocations and BLAS warm-up, not timed
    wall, cpu = time.perf_counter(), time.process_time()
    embedder.embed(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pieces = [min(MAX_SEQ_LENGTH, n) for n in embedder.token_counts(texts)]
    print(
        f"{len(texts)} abstracts, {sum(pieces) / len(pieces):.0f} word pieces each "
        f"(at most {MAX_SEQ_LENGTH}): {len(texts) / cpu:.1f} abstracts per CPU second, "
        f"{len(texts) / wall:.1f} per wall second"
    )
    return 0
