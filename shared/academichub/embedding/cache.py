"""Vectors kept on disk by model and text, so that a tool run again embeds nothing twice.

:class:`CachedEmbedder` wraps any embedder: texts already embedded by the same model
(same :attr:`EmbeddingModel.key`: name, weights, dimension, text recipe) come from the
cache file, the others go to the inner embedder in one batch and are added. One file
per model key (``<folder>/<sha256 of the key>.npz``, written whole to a temporary file
and renamed, so a run stopped half-way leaves the previous file intact).

This serves tools and benchmarks (``academichub bench relevance``). The services keep a
paper's vector with the paper in the store, never in this cache.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from academichub.embedding.port import Embedder, EmbeddingModel, Vectors

__all__ = ["CachedEmbedder"]


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class CachedEmbedder:
    """:class:`~academichub.embedding.port.Embedder` that remembers on disk."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self._inner = inner
        self._model = inner.model
        key = hashlib.sha256(self._model.key.encode()).hexdigest()[:32]
        self.path = folder / f"{key}.npz"
        self._rows: dict[bytes, Vectors] = {}
        self.hits = 0
        self.misses = 0
        if self.path.exists():
            with np.load(self.path) as stored:
                digests, vectors = stored["digests"], stored["vectors"]
            if vectors.ndim == 2 and vectors.shape[1] == self._model.dimension:
                self._rows = {d.tobytes(): v for d, v in zip(digests, vectors, strict=True)}

    @property
    def model(self) -> EmbeddingModel:
        return self._model

    def __len__(self) -> int:
        return len(self._rows)

    def embed(self, texts: Sequence[str]) -> Vectors:
        digests = [_digest(t) for t in texts]
        missing = {d: t for d, t in zip(digests, texts, strict=True) if d not in self._rows}
        self.misses += len(missing)
        self.hits += len(texts) - len(missing)
        if missing:
            made = self._inner.embed(list(missing.values()))
            self._rows.update(zip(missing, made, strict=True))
            self._save()
        out = np.empty((len(texts), self._model.dimension), dtype=np.float32)
        for i, d in enumerate(digests):
            out[i] = self._rows[d]
        return out

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Raw bytes, not an "S32" array: numpy strips an S value's trailing NUL bytes.
        digests = np.frombuffer(b"".join(self._rows), dtype=np.uint8).reshape(-1, 32)
        vectors = np.stack(list(self._rows.values())).astype(np.float32)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, digests=digests, vectors=vectors)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
