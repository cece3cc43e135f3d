"""The embedding port: texts in, unit vectors out, with the model that made them.

Every adapter turns a batch of texts into a float32 matrix with one row per text, each
row of length 1 and of the model's stated dimension (cosine similarity is then a dot
product). :class:`EmbeddingModel` names what made a vector; it is stored beside every
vector, and a vector whose :attr:`EmbeddingModel.key` differs from the running model's
is stale (a different model, weights or text recipe) and is never compared with it.

The port is synchronous: the embedded model is CPU-bound numpy (BLAS releases the GIL),
and an asyncio consumer calls it through ``asyncio.to_thread``; the HTTP adapter then
blocks that worker thread only.

Failures::

    AcademicHubError
    ├── TransientError
    │   └── EmbeddingUnavailable   the endpoint is down, slow or rate limiting, after the
    │                              adapter's bounded retries: try the batch again later
    ├── ConfigError
    │   └── ModelFilesInvalid      the packaged model files are missing or are not the
    │                              pinned ones (sha256): the process cannot embed at all
    └── EmbeddingRejected          the endpoint refused the request (4xx) or answered
                                   something that is not one unit vector per text of the
                                   stated dimension: a configuration problem or a bad
                                   text, never retried as is
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from academichub.embedding.text import TEXT_RECIPE
from academichub.platform.errors import AcademicHubError, ConfigError, TransientError

__all__ = [
    "Embedder",
    "EmbeddingModel",
    "EmbeddingRejected",
    "EmbeddingUnavailable",
    "ModelFilesInvalid",
    "Vectors",
    "unit_rows",
]

Vectors = npt.NDArray[np.float32]


class EmbeddingUnavailable(TransientError):
    """The embedding endpoint did not answer usefully within the retry bound."""


class EmbeddingRejected(AcademicHubError):
    """The endpoint refused the request or answered something unusable."""


class ModelFilesInvalid(ConfigError):
    """The embedded model's files are missing, unreadable or not the pinned ones."""


@dataclass(frozen=True)
class EmbeddingModel:
    """Provenance of a vector: which model, which exact weights, how many dimensions.

    ``revision`` identifies the weights (``sha256:<hex>`` of the embedded model's file;
    for an endpoint, what the operator configured, since an endpoint does not say).
    """

    name: str
    revision: str
    dimension: int
    text_recipe: str = TEXT_RECIPE

    @property
    def key(self) -> str:
        """One string that changes whenever vectors stop being comparable."""
        return f"{self.name}@{self.revision}/{self.dimension}d/{self.text_recipe}"


class Embedder(Protocol):
    """Embeds texts: the port every embedding adapter implements."""

    @property
    def model(self) -> EmbeddingModel: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """A (len(texts), model.dimension) float32 matrix of unit rows, in order."""
        ...


def unit_rows(vectors: npt.ArrayLike, dimension: int) -> Vectors:
    """``vectors`` as float32 rows of length 1, checked to be ``dimension`` wide and
    finite; an all-zero row (which has no direction) is refused."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[1] != dimension:
        raise EmbeddingRejected(
            f"expected vectors of {dimension} dimensions, got shape {matrix.shape}"
        )
    if not np.isfinite(matrix).all():
        raise EmbeddingRejected("a vector holds NaN or infinity")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if (norms == 0).any():
        raise EmbeddingRejected("a vector is all zeros")
    result: Vectors = (matrix / norms).astype(np.float32)
    return result
