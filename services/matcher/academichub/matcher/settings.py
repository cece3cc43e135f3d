"""Typed settings of the matcher process (environment prefix ``MATCHER_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.platform.settings import CommonSettings


class MatcherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True)

    common: CommonSettings = Field(default_factory=CommonSettings)
    # The consumer group of `papers` (KEDA's ScaledObject scales on its lag: keep them equal).
    group_id: str = Field(default="academichub-matcher", min_length=1)
    # /metrics, /healthz and /readyz: every replica on a machine needs its own port.
    web_port: int = Field(default=6066, ge=1, le=65535)
    web_bind: str = "127.0.0.1"
    # A batch of papers: this many, or what arrived within this time, whichever is first.
    batch_size: int = Field(default=200, ge=1, le=10_000)
    batch_within_seconds: float = Field(default=0.3, gt=0, le=30)
    # Tansu holds a JoinGroup for about half the rebalance timeout, and a dead worker's
    # partitions move after the session timeout: both short, so start and failover are quick.
    session_timeout_seconds: float = Field(default=10.0, ge=3, le=300)
    rebalance_timeout_seconds: float = Field(default=10.0, ge=3, le=300)
    # Not ready while a consumer has not polled for this long (a batch takes seconds).
    consumer_stall_seconds: float = Field(default=60.0, gt=0, le=3600)
    store_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # The embedded store has one index writer; other replicas set this false, store their
    # papers' records and leave indexing to the writer. With Elasticsearch all write.
    index_writer: bool = True
