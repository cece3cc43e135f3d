"""Typed settings of the briefer process (environment prefix ``BRIEFER_``).

The model endpoint is read from the variables every OpenAI client knows:
``OPENAI_BASE_URL``, ``OPENAI_API_KEY`` and ``OPENAI_MODEL``. The model is used only
when a base URL is set; otherwise briefings are extractive.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.briefer.policy import WindowPolicy
from academichub.platform.settings import CommonSettings


class BrieferSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRIEFER_", extra="ignore", frozen=True, populate_by_name=True
    )

    common: CommonSettings = Field(default_factory=CommonSettings)
    window_max_papers: int = Field(default=20, ge=1, le=1000)
    window_max_seconds: float = Field(default=3600.0, gt=0)
    check_interval_seconds: float = Field(default=1.0, gt=0, le=3600)
    metrics_port: int = Field(default=9102, ge=1, le=65535)
    # Loopback by default; a container deployment sets 0.0.0.0 so Prometheus can scrape.
    metrics_host: str = "127.0.0.1"
    group_id: str = "briefer"

    llm_model: str = Field(
        default="gpt-4o-mini",
        min_length=1,
        validation_alias=AliasChoices("OPENAI_MODEL", "BRIEFER_LLM_MODEL"),
    )
    llm_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "BRIEFER_LLM_BASE_URL")
    )
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "BRIEFER_LLM_API_KEY")
    )
    llm_timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    llm_max_attempts: int = Field(default=3, ge=1, le=10)
    llm_max_retry_after_seconds: float = Field(default=30.0, ge=0, le=600)

    @field_validator("llm_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None  # an empty OPENAI_BASE_URL means "no model", as if unset
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            # Named in full: the shared loader prefixes BRIEFER_ to the field's alias.
            raise ValueError(f"OPENAI_BASE_URL must be an http(s) URL, got {value!r}")
        return value.strip()

    @model_validator(mode="after")
    def _key_for_openai(self) -> BrieferSettings:
        host = urlsplit(self.llm_base_url).hostname if self.llm_base_url else None
        if host == "api.openai.com" and self.llm_api_key is None:
            raise ValueError("OPENAI_API_KEY must be set when OPENAI_BASE_URL is api.openai.com")
        return self

    @property
    def uses_model(self) -> bool:
        return self.llm_base_url is not None

    @property
    def window_policy(self) -> WindowPolicy:
        return WindowPolicy(
            max_papers=self.window_max_papers,
            max_age=dt.timedelta(seconds=self.window_max_seconds),
        )
