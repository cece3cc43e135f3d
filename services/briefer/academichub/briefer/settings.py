"""Typed settings of the briefer process (environment prefix ``BRIEFER_``).

The model endpoint is read from the variables every OpenAI client knows:
``OPENAI_BASE_URL``, ``OPENAI_API_KEY`` and ``OPENAI_MODEL``. The model is used only
when a base URL is set; otherwise briefings are extractive.

Windows close on each radar's own schedule; ``window_max_papers`` and
``window_max_seconds`` are the maximum any window reaches whatever its schedule (the
default age, eight days, lets a weekly schedule close its own windows).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.briefer.domain.budget import DailyLimits
from academichub.briefer.domain.policy import WindowPolicy
from academichub.briefer.domain.synthesis import SynthesisLimits
from academichub.delivery.settings import DeliverySettings
from academichub.platform.settings import CommonSettings


class BrieferSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRIEFER_", extra="ignore", frozen=True, populate_by_name=True
    )

    common: CommonSettings = Field(default_factory=CommonSettings)
    # Digests and webhooks (DELIVERY_*): the briefer delivers the briefings it owns.
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    window_max_papers: int = Field(
        default=200,
        ge=1,
        le=1000,
        description="Most papers in one briefing; a window this full closes whatever its schedule",
    )
    window_max_seconds: float = Field(
        default=8 * 24 * 3600.0,
        gt=0,
        description="Oldest a window's first match may get before it closes whatever its "
        "schedule (8 days: a weekly schedule closes its own windows)",
    )
    check_interval_seconds: float = Field(default=1.0, gt=0, le=3600)
    # /metrics, /healthz and /readyz.
    metrics_port: int = Field(default=9102, ge=1, le=65535)
    # Loopback by default; a container deployment sets 0.0.0.0 so Prometheus can scrape.
    metrics_host: str = "127.0.0.1"
    group_id: str = "briefer"
    # Not ready while the matches consumer has not polled for this long.
    consumer_stall_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Not live (/healthz 503: restart me) while it has not polled for this long.
    consumer_liveness_seconds: float = Field(default=300.0, gt=0, le=86400)
    store_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    broker_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    unqueued_after_seconds: float = Field(
        default=300.0,
        gt=0,
        le=7 * 86400,
        description="A match recorded this long ago and still in no briefing window was "
        "lost on its way (the broker lost the matches topic): the briefer queues it "
        "from the store",
    )

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
    # An answer slower than this still counts, but against the circuit breaker too (and as
    # outcome "slow"): an endpoint that only answers slowly backs windows up for hours. Long
    # structured answers take a hosted model 10-30 s, so the default leaves them room.
    llm_slow_seconds: float = Field(default=40.0, gt=0, le=600)
    # How long one window may wait for the model in all (TL;DRs, themes, synthesis, the
    # retries): past it the calls are cancelled and the window is briefed extractively,
    # to be upgraded when the model is back.
    model_deadline_seconds: float = Field(default=180.0, gt=0, le=3600)
    llm_max_attempts: int = Field(default=3, ge=1, le=10)
    llm_backoff_seconds: float = Field(default=0.5, gt=0, le=60)
    llm_max_backoff_seconds: float = Field(default=8.0, gt=0, le=600)
    llm_max_retry_after_seconds: float = Field(default=30.0, ge=0, le=600)
    # Circuit breaker: open after this many consecutive failures, try again after the
    # cool-down.
    breaker_failures: int = Field(default=5, ge=1, le=100)
    breaker_cooldown_seconds: float = Field(default=60.0, gt=0, le=3600)

    # Papers per per-paper TL;DR request, and how many such requests run at once.
    summary_batch_size: int = Field(default=8, ge=1, le=50)
    summary_concurrency: int = Field(default=4, ge=1, le=32)
    # Above this many papers a briefing is written in stages; all of one briefing's
    # requests fit briefing_max_tokens (papers beyond are listed as omitted).
    staged_above_papers: int = Field(default=25, ge=1, le=1000)
    briefing_max_tokens: int = Field(default=48_000, ge=2_000, le=2_000_000)
    # Tokens a radar, and a user across their radars, may spend per UTC day before
    # their briefings fall back to extractive (0: never use the model for them).
    daily_tokens_per_radar: int = Field(default=200_000, ge=0)
    daily_tokens_per_user: int = Field(default=500_000, ge=0)
    # Degraded briefings rewritten per closer pass once the model is back.
    upgrades_per_pass: int = Field(default=5, ge=0, le=1000)
    embed_windows: bool = Field(
        default=True,
        description="Group briefing themes and find cross-field links by embeddings from the "
        "EMBEDDING_* model (default: the packaged all-MiniLM-L6-v2, loaded at start); off: "
        "by TF-IDF over each window",
    )

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
    def synthesis_limits(self) -> SynthesisLimits:
        return SynthesisLimits(
            staged_above=self.staged_above_papers, briefing_tokens=self.briefing_max_tokens
        )

    @property
    def daily_limits(self) -> DailyLimits:
        return DailyLimits(
            per_radar=self.daily_tokens_per_radar, per_user=self.daily_tokens_per_user
        )

    @property
    def window_policy(self) -> WindowPolicy:
        return WindowPolicy(
            max_papers=self.window_max_papers,
            max_age=dt.timedelta(seconds=self.window_max_seconds),
        )
