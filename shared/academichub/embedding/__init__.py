"""Text embeddings: the port, the paper-text recipe, and the adapters.

- :mod:`.port` — :class:`Embedder`, :class:`EmbeddingModel` (provenance), failures
- :mod:`.text` — what text of a paper is embedded
- :mod:`.minilm` — the embedded default, all-MiniLM-L6-v2 in numpy (:mod:`.bert`)
- :mod:`.openai_embedder` — any OpenAI-compatible ``/v1/embeddings`` endpoint
- :mod:`.fake` — deterministic vectors for unit tests
- :mod:`.settings` — ``EMBEDDING_*`` settings and :func:`build_embedder`
- :mod:`.cache` — vectors kept on disk by model and text, for reruns of tools

Adapters are imported from their modules, so that importing the port loads no model
and no HTTP client.
"""

from academichub.embedding.port import (
    Embedder,
    EmbeddingModel,
    EmbeddingRejected,
    EmbeddingUnavailable,
    ModelFilesInvalid,
    Vectors,
    unit_rows,
)
from academichub.embedding.text import interest_text, paper_text

__all__ = [
    "Embedder",
    "EmbeddingModel",
    "EmbeddingRejected",
    "EmbeddingUnavailable",
    "ModelFilesInvalid",
    "Vectors",
    "interest_text",
    "paper_text",
    "unit_rows",
]
