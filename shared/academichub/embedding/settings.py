"""Which embedder a process uses: typed settings (``EMBEDDING_*``) and the one factory.

The default, ``EMBEDDING_PROVIDER=minilm``, is the packaged all-MiniLM-L6-v2 in numpy:
no server, no network. ``openai`` uses an OpenAI-compatible ``/v1/embeddings`` endpoint
and then needs its URL, model name and the vectors' dimension.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.embedding.port import Embedder
from academichub.platform.errors import ConfigError

__all__ = ["EmbeddingSettings", "build_embedder"]


class EmbeddingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EMBEDDING_", extra="ignore", frozen=True)

    provider: Literal["minilm", "openai"] = Field(
        default="minilm",
        description="minilm: the packaged all-MiniLM-L6-v2 run in numpy (no server); "
        "openai: an OpenAI-compatible /v1/embeddings endpoint",
    )
    base_url: str | None = Field(default=None, description="endpoint, e.g. http://tei:8080/v1")
    model: str | None = Field(default=None, description="model name the endpoint serves")
    api_key: SecretStr | None = None
    dimension: int | None = Field(default=None, ge=1, description="length of its vectors")
    revision: str = Field(
        default="unversioned",
        description="names the weights behind the endpoint's model; change it when they "
        "change, so that vectors made before are recomputed",
    )
    send_dimensions: bool = Field(
        default=False, description="ask the endpoint for `dimension` (text-embedding-3)"
    )
    batch_size: int = Field(default=32, ge=1, le=2048, description="texts per request")
    timeout_seconds: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    batch_tokens: int = Field(
        default=1024, ge=256, description="minilm: padded tokens per forward pass"
    )
    blas_threads: int = Field(
        default=1, ge=1, description="threads for matrix products in each process"
    )

    @model_validator(mode="after")
    def _endpoint_is_complete(self) -> EmbeddingSettings:
        if self.provider == "openai":
            missing = [
                f"EMBEDDING_{name.upper()}"
                for name in ("base_url", "model", "dimension")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"EMBEDDING_PROVIDER=openai needs {', '.join(missing)}")
        return self


def build_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder ``settings`` ask for (loads and verifies the model for minilm)."""
    if settings.provider == "openai":
        from academichub.embedding.openai_embedder import OpenAIEmbedder

        if settings.base_url is None or settings.model is None or settings.dimension is None:
            raise ConfigError("EMBEDDING_PROVIDER=openai needs a base URL, model and dimension")
        return OpenAIEmbedder(
            base_url=settings.base_url,
            model=settings.model,
            dimension=settings.dimension,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            revision=settings.revision,
            send_dimensions=settings.send_dimensions,
            batch_size=settings.batch_size,
            timeout_seconds=settings.timeout_seconds,
            max_retries=settings.max_retries,
        )
    from academichub.embedding.minilm import MiniLMEmbedder

    return MiniLMEmbedder.load(batch_tokens=settings.batch_tokens)
