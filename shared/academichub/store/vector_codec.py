"""How the adapters hold a vector: one float32 row of the model's dimension, stored as its
little-endian bytes (SQLite blobs; base64 of them in Elasticsearch's stored source, where a
JSON array of decimals would be three times larger and not exact), texts by digest."""

from __future__ import annotations

import hashlib

import numpy as np

from academichub.embedding.port import EmbeddingModel, Vectors

_FLOAT32_LE = np.dtype("<f4")


def check_vector(model: EmbeddingModel, vector: Vectors) -> Vectors:
    """``vector`` as one finite float32 row of the model's dimension, or a ValueError."""
    row = np.asarray(vector, dtype=np.float32)
    if row.shape != (model.dimension,):
        raise ValueError(f"a vector of {model.key} has {model.dimension} values, not {row.shape}")
    if not np.isfinite(row).all():
        raise ValueError("a vector holds NaN or infinity")
    return row


def to_bytes(model: EmbeddingModel, vector: Vectors) -> bytes:
    return check_vector(model, vector).astype(_FLOAT32_LE).tobytes()


def from_bytes(model: EmbeddingModel, raw: bytes) -> Vectors:
    row = np.frombuffer(raw, dtype=_FLOAT32_LE).astype(np.float32)
    if row.shape != (model.dimension,):
        raise ValueError(
            f"a stored vector of {model.key} has {len(row)} values, not {model.dimension}"
        )
    return row


def text_digest(text: str) -> str:
    """The key a text's vector is stored under (texts can be long; digests are not)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def model_digest(model: EmbeddingModel) -> str:
    """A short name for a model key, where names must be short (Elasticsearch indices)."""
    return hashlib.sha256(model.key.encode("utf-8")).hexdigest()[:16]
