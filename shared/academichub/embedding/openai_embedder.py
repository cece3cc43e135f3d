"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, Hugging Face
TEI, vLLM, Ollama, llama.cpp server, Infinity) through the ``openai`` client.

An institution that runs a stronger scientific model behind such a server points
``EMBEDDING_BASE_URL`` at it. What this adapter does with the endpoint's behaviour:

- Texts go in requests of at most ``batch_size`` inputs (TEI accepts 32 by default),
  with ``encoding_format="float"``: base64, the client's default, is not offered by
  every compatible server.
- 408, 409, 429, 5xx, timeouts and connection failures are retried by the ``openai``
  client itself, ``max_retries`` times, backing off exponentially and honouring
  ``Retry-After`` / ``retry-after-ms``; after that, :class:`EmbeddingUnavailable`
  (transient: the caller tries the batch again later).
- Any other status (a wrong model name, a text too long for the model, a bad key) is
  :class:`EmbeddingRejected` with the endpoint's own message; so is an answer that is
  not one finite vector of the stated dimension per input.
- Vectors are normalised to length 1 here, whatever the server does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import openai

from academichub.embedding.port import (
    EmbeddingModel,
    EmbeddingRejected,
    EmbeddingUnavailable,
    Vectors,
    unit_rows,
)

__all__ = ["OpenAIEmbedder"]


def _endpoint_message(exc: openai.APIStatusError) -> str:
    """The endpoint's own error message (the client prefixes "Error code: …" to it)."""
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return exc.message


class OpenAIEmbedder:
    """:class:`~academichub.embedding.port.Embedder` over an OpenAI-compatible endpoint.

    ``revision`` names the weights behind ``model`` (an endpoint does not say): change it
    when the served weights change, so that vectors from before are known to be stale.
    ``send_dimensions`` asks the endpoint for ``dimension`` (models trained to be cut,
    such as text-embedding-3); otherwise ``dimension`` is only checked.
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        dimension: int,
        api_key: str | None = None,
        revision: str = "unversioned",
        send_dimensions: bool = False,
        batch_size: int = 32,
        timeout_seconds: float = 60.0,
        max_retries: int = 3,
    ) -> None:
        if dimension < 1 or batch_size < 1:
            raise ValueError("dimension and batch_size must be at least 1")
        self._model = EmbeddingModel(name=model, revision=revision, dimension=dimension)
        self._send_dimensions = send_dimensions
        self._batch_size = batch_size
        self._client = openai.OpenAI(
            base_url=base_url,
            # Local OpenAI-compatible servers often need no key, but the client wants one.
            api_key=api_key or "not-needed",
            timeout=timeout_seconds,
            max_retries=max_retries,
        )

    @property
    def model(self) -> EmbeddingModel:
        return self._model

    def close(self) -> None:
        self._client.close()

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.empty((0, self._model.dimension), dtype=np.float32)
        parts = [
            self._request(list(texts[start : start + self._batch_size]))
            for start in range(0, len(texts), self._batch_size)
        ]
        result: Vectors = np.concatenate(parts)
        return result

    def _request(self, texts: list[str]) -> Vectors:
        try:
            if self._send_dimensions:
                response = self._client.embeddings.create(
                    model=self._model.name,
                    input=texts,
                    encoding_format="float",
                    dimensions=self._model.dimension,
                )
            else:
                response = self._client.embeddings.create(
                    model=self._model.name, input=texts, encoding_format="float"
                )
        except openai.APITimeoutError as exc:
            raise EmbeddingUnavailable(f"embedding endpoint timed out: {exc}") from exc
        except openai.APIConnectionError as exc:
            raise EmbeddingUnavailable(f"embedding endpoint unreachable: {exc}") from exc
        except (openai.RateLimitError, openai.InternalServerError) as exc:
            raise EmbeddingUnavailable(
                f"embedding endpoint answered HTTP {exc.status_code}: {_endpoint_message(exc)}"
            ) from exc
        except openai.APIStatusError as exc:
            if exc.status_code in (408, 409):
                raise EmbeddingUnavailable(
                    f"embedding endpoint answered HTTP {exc.status_code}"
                ) from exc
            raise EmbeddingRejected(
                f"embedding endpoint refused the request (HTTP {exc.status_code}): "
                f"{_endpoint_message(exc)}"[:500]
            ) from exc
        except openai.APIResponseValidationError as exc:
            raise EmbeddingRejected(f"embedding endpoint answered nonsense: {exc}") from exc
        data = sorted(response.data, key=lambda item: item.index)
        if [item.index for item in data] != list(range(len(texts))):
            raise EmbeddingRejected(
                f"asked for {len(texts)} embeddings, got indices {[i.index for i in data]}"
            )
        return unit_rows([item.embedding for item in data], self._model.dimension)
