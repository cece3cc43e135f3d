"""A deterministic embedder for unit tests, with state to assert on.

A text's vector is the normalised sum of one fixed pseudo-random vector per word
(lower-cased runs of letters and digits), so texts that share words are close and texts
that share none are nearly orthogonal: enough geometry to test seeds, thresholds and
learning without a model. ``pinned`` gives chosen texts exact vectors.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from academichub.embedding.port import EmbeddingModel, Vectors, unit_rows

__all__ = ["FakeEmbedder"]

_WORD = re.compile(r"\w+")


@dataclass
class FakeEmbedder:
    """:class:`~academichub.embedding.port.Embedder` for tests.

    Every call's texts are kept in ``batches``; the exceptions in ``failures`` are
    raised, one per call and in order, before any vector is made.
    """

    dimension: int = 64
    name: str = "fake-bag-of-words"
    pinned: dict[str, Sequence[float]] = field(default_factory=dict)
    batches: list[tuple[str, ...]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    _words: dict[str, Vectors] = field(default_factory=dict, repr=False)

    @property
    def model(self) -> EmbeddingModel:
        return EmbeddingModel(name=self.name, revision="v1", dimension=self.dimension)

    @property
    def texts_embedded(self) -> int:
        return sum(len(batch) for batch in self.batches)

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.batches.append(tuple(texts))
        if self.failures:
            raise self.failures.pop(0)
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            if text in self.pinned:
                rows[i] = np.asarray(self.pinned[text], dtype=np.float32)
                continue
            for word in _WORD.findall(text.lower()):
                rows[i] += self._word(word)
            if not rows[i].any():
                rows[i] = self._word("")  # no words: still a direction, the same for all
        return unit_rows(rows, self.dimension)

    def _word(self, word: str) -> Vectors:
        vector = self._words.get(word)
        if vector is None:
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
            vector = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
            self._words[word] = vector
        return vector
