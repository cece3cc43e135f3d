"""TF-IDF vectors: the classic baseline, and the stand-in where no embedding exists.

Stemmed words of each text (the radar analyser), words in at least ``min_df`` texts of
the fitted corpus, sublinear term frequency, smoothed idf, unit rows. Dense: it is fitted
on small corpora (a briefing window, the recorded feeds of a benchmark).

It follows the :class:`~academichub.embedding.port.Embedder` shape (``model``,
``embed``), so code that compares vectors takes either.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence

import numpy as np

from academichub.embedding.port import EmbeddingModel, Vectors, unit_rows
from academichub.radar.analysis import analyze

__all__ = ["TfIdf"]


class TfIdf:
    """TF-IDF vectors over a fixed corpus."""

    def __init__(self, corpus: Sequence[str], *, min_df: int = 2) -> None:
        docs = [analyze(text) for text in corpus]
        df = collections.Counter(term for doc in docs for term in set(doc))
        terms = sorted(t for t, n in df.items() if n >= min_df)
        if not terms:  # nothing shared (one text, or none): every word is a dimension
            terms = sorted(df) or [""]
        self.index = {t: i for i, t in enumerate(terms)}
        self.idf = np.array(
            [math.log((1 + len(docs)) / (1 + df[t])) + 1 for t in terms], dtype=np.float32
        )
        self.model = EmbeddingModel(name="tf-idf", revision="corpus", dimension=len(terms))

    def embed(self, texts: Sequence[str]) -> Vectors:
        rows = np.zeros((len(texts), len(self.index)), dtype=np.float32)
        for r, text in enumerate(texts):
            counts = collections.Counter(t for t in analyze(text) if t in self.index)
            for term, n in counts.items():
                rows[r, self.index[term]] = 1 + math.log(n)
        rows *= self.idf
        empty = ~rows.any(axis=1)
        rows[empty, 0] = 1e-6  # a text of unknown words only: some direction, no meaning
        return unit_rows(rows, len(self.index))
