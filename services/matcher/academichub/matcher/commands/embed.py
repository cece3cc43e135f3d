"""``academichub embed``: one vector per paper of a JSON-lines file, with the service's code.

The embedder is the one the settings choose (``EMBEDDING_*``; by default the packaged
all-MiniLM-L6-v2), the text is :func:`~academichub.embedding.text.paper_text`: what a
matcher would store for the paper. Each line printed is ``{"id", "version", "model",
"vector"}``; the model's provenance and the rate go to standard error.
"""

from __future__ import annotations

import json
import sys
import time

from academichub.contracts.paper_lines import load_papers
from academichub.embedding.port import Embedder
from academichub.embedding.settings import EmbeddingSettings, build_embedder
from academichub.embedding.text import paper_text
from academichub.platform.blas import limit_blas_threads
from academichub.platform.settings import load_settings

__all__ = ["open_embedder", "run_embed"]

BATCH = 64  # papers embedded, then printed, at a time: output flows for large files


def open_embedder() -> Embedder:
    """The embedder the environment configures, with BLAS threads limited first."""
    settings = load_settings(EmbeddingSettings)
    limit_blas_threads(settings.blas_threads)
    return build_embedder(settings)


def run_embed(papers_path: str) -> int:
    try:
        papers, problems = load_papers(papers_path)
    except OSError as exc:
        print(f"academichub embed: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    embedder = open_embedder()
    model = embedder.model
    started = time.perf_counter()
    for start in range(0, len(papers), BATCH):
        chunk = papers[start : start + BATCH]
        vectors = embedder.embed([paper_text(p) for p in chunk])
        for paper, vector in zip(chunk, vectors, strict=True):
            line = {
                "id": paper.id,
                "version": paper.version,
                "model": model.key,
                "vector": [round(float(x), 7) for x in vector],
            }
            sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
    elapsed = time.perf_counter() - started
    rate = f", {len(papers) / elapsed:.1f} papers/s" if papers and elapsed > 0 else ""
    print(f"{len(papers)} papers embedded by {model.key}{rate}", file=sys.stderr)
    return 1 if problems else 0
