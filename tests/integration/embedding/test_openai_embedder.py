"""The OpenAI-compatible adapter against a real local HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from academichub.embedding.openai_embedder import OpenAIEmbedder
from academichub.embedding.port import EmbeddingRejected, EmbeddingUnavailable
from tests.integration.briefer.chat_server import ChatServer, Reply, serve_chat

pytestmark = pytest.mark.integration

DIM = 4


def vector_of(text: str) -> list[float]:
    """A deterministic, deliberately unnormalised vector per text."""
    return [float(len(text)), 1.0, float(text.count("a")), 2.0]


def answer(body: dict[str, Any], *, shuffle: bool = False, dim: int = DIM) -> Reply:
    data = [
        {"object": "embedding", "index": i, "embedding": vector_of(t)[:dim] + [0.5] * (dim - DIM)}
        for i, t in enumerate(body["input"])
    ]
    if shuffle:
        data.reverse()  # servers may answer out of order; "index" says which is which
    body_out = {
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": 3, "total_tokens": 3},
    }
    return Reply(raw=json.dumps(body_out).encode())


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with serve_chat() as running:
        yield running


def embedder(server: ChatServer, **options: Any) -> OpenAIEmbedder:
    settings: dict[str, Any] = {"batch_size": 2, "max_retries": 2, "timeout_seconds": 5.0}
    settings.update(options)
    return OpenAIEmbedder(
        base_url=server.base_url, model="sci-embed", dimension=DIM, revision="2026-01", **settings
    )


def test_vectors_come_back_in_order_normalised_in_requests_of_batch_size(
    server: ChatServer,
) -> None:
    server.embedding_responder = lambda body: answer(body, shuffle=True)
    texts = ["a", "banana", "cat", "dance", "e"]
    vectors = embedder(server).embed(texts)
    expected = np.array([vector_of(t) for t in texts], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(vectors, expected, rtol=1e-6)
    assert [r["input"] for r in server.embedding_requests] == [
        ["a", "banana"],
        ["cat", "dance"],
        ["e"],
    ]
    assert {r["encoding_format"] for r in server.embedding_requests} == {"float"}
    assert "dimensions" not in server.embedding_requests[0]
    model = embedder(server).model
    assert (model.name, model.revision, model.dimension) == ("sci-embed", "2026-01", DIM)


def test_rate_limits_and_server_errors_are_retried_then_reported_as_transient(
    server: ChatServer,
) -> None:
    server.embedding_script = [
        Reply(429, error="slow down", headers={"retry-after-ms": "10"}),
        Reply(503, error="loading", headers={"retry-after-ms": "10"}),
    ]
    server.embedding_responder = answer
    assert embedder(server).embed(["a"]).shape == (1, DIM)
    assert len(server.embedding_requests) == 3

    server.embedding_requests.clear()
    server.embedding_responder = lambda body: Reply(
        500, error="broken", headers={"retry-after-ms": "10"}
    )
    with pytest.raises(EmbeddingUnavailable, match="HTTP 500: broken"):
        embedder(server).embed(["a"])
    assert len(server.embedding_requests) == 3  # the first try and max_retries=2


def test_a_refused_request_is_rejected_at_once_with_the_endpoints_message(
    server: ChatServer,
) -> None:
    server.embedding_responder = lambda body: Reply(400, error="model 'sci-embed' not found")
    with pytest.raises(EmbeddingRejected, match=r"HTTP 400.*model 'sci-embed' not found"):
        embedder(server).embed(["a"])
    assert len(server.embedding_requests) == 1


def test_vectors_of_the_wrong_dimension_or_count_are_rejected(server: ChatServer) -> None:
    server.embedding_responder = lambda body: answer(body, dim=DIM + 2)
    with pytest.raises(EmbeddingRejected, match="4 dimensions"):
        embedder(server).embed(["a"])
    server.embedding_responder = lambda body: answer({**body, "input": body["input"][:1]})
    with pytest.raises(EmbeddingRejected, match="asked for 2 embeddings"):
        embedder(server).embed(["a", "b"])


def test_dimensions_are_asked_for_when_configured(server: ChatServer) -> None:
    server.embedding_responder = answer
    embedder(server, send_dimensions=True).embed(["a"])
    assert server.embedding_requests[0]["dimensions"] == DIM


def test_an_unreachable_endpoint_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = OpenAIEmbedder(
        base_url=f"http://127.0.0.1:{port}/v1", model="m", dimension=DIM, max_retries=0
    )
    with pytest.raises(EmbeddingUnavailable, match="unreachable"):
        gone.embed(["a"])
