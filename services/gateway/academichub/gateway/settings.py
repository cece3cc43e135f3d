"""Typed settings of the gateway process (environment prefix ``GATEWAY_``).

``GATEWAY_PORT`` chooses the port; the host stays on loopback unless an operator
deliberately sets ``GATEWAY_HOST`` (there is no authentication yet, see routes/radars).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.gateway.owners import OWNER_PATTERN
from academichub.platform.settings import CommonSettings


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    common: CommonSettings = Field(default_factory=CommonSettings)
    host: str = Field(default="127.0.0.1", description="Interface uvicorn listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="HTTP port (GATEWAY_PORT)")
    page_size: int = Field(default=20, ge=1, le=100, description="Papers per home page")
    max_api_limit: int = Field(
        default=100, ge=1, le=1000, description="Largest `limit` the JSON API honours"
    )
    default_owner: str = Field(
        default="local",
        pattern=OWNER_PATTERN,
        description="Owner of radars created without one, until accounts exist",
    )
    # A radar change not acknowledged by then is reported as a failure, not left hanging.
    publish_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    broker_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    store_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # The broker may still be starting when the gateway does (docker compose, `make up`).
    broker_connect_within_seconds: float = Field(default=30.0, gt=0, le=600)
