"""Typed settings of the gateway process (environment prefix ``GATEWAY_``).

``GATEWAY_PORT`` chooses the port; the host stays on loopback unless an operator
deliberately sets ``GATEWAY_HOST``. Every API call needs a key (``academichub users
create``); the limits below bound what one key, or one anonymous client, can ask for.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.delivery.settings import WebhookAddressSettings
from academichub.embedding.settings import EmbeddingSettings
from academichub.platform.settings import CommonSettings
from academichub.source_defaults import DEFAULT_SOURCE_NAMES


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    common: CommonSettings = Field(default_factory=CommonSettings)
    # The model that embeds what people type: radars' described interests and ~"…"
    # searches (the same EMBEDDING_* as the matcher's embedding role: vectors compare).
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    # DELIVERY_WEBHOOK_ALLOW_LOOPBACK: the briefer reads the same rule when it posts.
    webhooks: WebhookAddressSettings = Field(default_factory=WebhookAddressSettings)
    host: str = Field(default="127.0.0.1", description="Interface uvicorn listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="HTTP port (GATEWAY_PORT)")
    page_size: int = Field(default=20, ge=1, le=100, description="Papers per home page")
    max_api_limit: int = Field(
        default=100, ge=1, le=1000, description="Largest `limit` the JSON API honours"
    )
    max_offset: int = Field(
        default=10_000, ge=0, le=100_000, description="Deepest result a page may start at"
    )
    # A radar change not acknowledged by then waits in the store's outbox, and the request
    # returns (it is not left hanging); the relay publishes what waits this often.
    publish_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    radar_relay_seconds: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="How often radar changes waiting in the store's outbox are published",
    )
    idempotency_key_hours: float = Field(
        default=24.0,
        gt=0,
        le=24 * 30,
        description="How long an Idempotency-Key of POST /api/radars is remembered",
    )
    broker_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    store_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # Store and account calls run on this many threads of the gateway's own (see
    # academichub.store.door): requests wait for one beyond that. Measured with
    # `academichub bench search` (docs/operations.md).
    store_threads: int = Field(default=8, ge=1, le=256)
    # The broker may still be starting when the gateway does (docker compose, `make up`).
    broker_connect_within_seconds: float = Field(default=30.0, gt=0, le=600)

    # --- accounts and limits ---------------------------------------------------------
    session_days: float = Field(default=14, gt=0, le=90, description="Web sign-in lifetime")
    rate_limit_per_minute: int = Field(
        default=600, ge=1, description="Sustained requests per minute per API key"
    )
    rate_limit_burst: int = Field(default=60, ge=1, description="Requests a key may burst")
    anonymous_rate_limit_per_minute: int = Field(
        default=120, ge=1, description="Requests per minute per address without a key"
    )
    auth_failures_per_minute: int = Field(
        default=10,
        ge=1,
        description="Failed authentications (unknown key, bad header, no key on the API) "
        "an address may make per minute; past it every authenticated request from it "
        "answers 429 until the budget refills",
    )
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, le=16 * 1024 * 1024, description="Largest request body"
    )
    max_url_bytes: int = Field(default=8 * 1024, ge=512, le=64 * 1024)

    # --- sources page ------------------------------------------------------------------
    sources: tuple[str, ...] = Field(
        default=DEFAULT_SOURCE_NAMES,
        description="Feed names the ingestor polls (its INGESTOR_FEEDS names), for /api/sources",
    )
    arxiv_extra_holidays: tuple[dt.date, ...] = Field(
        default=(),
        description="arXiv non-announcement days beyond the yearly ones (JSON list of dates)",
    )
