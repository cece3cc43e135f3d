"""Typed settings of the matcher process (environment prefix ``MATCHER_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.platform.settings import CommonSettings


class MatcherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True)

    common: CommonSettings = Field(default_factory=CommonSettings)
    # Each faust worker binds its web port even when unused: every replica needs its own.
    web_port: int = Field(default=6066, ge=1, le=65535)
    web_bind: str = "127.0.0.1"
    batch_size: int = Field(default=200, ge=1, le=10_000)
    batch_within_seconds: float = Field(default=0.3, gt=0, le=30)
    # Tansu holds a JoinGroup for about half the rebalance timeout, and a dead worker's
    # partitions move after the session timeout: both short, so start and failover are quick.
    session_timeout_seconds: float = Field(default=10.0, ge=3, le=300)
    rebalance_timeout_seconds: float = Field(default=10.0, ge=3, le=300)
    # The embedded store has one index writer; other replicas set this false, store their
    # papers' records and leave indexing to the writer. With Elasticsearch all write.
    index_writer: bool = True
