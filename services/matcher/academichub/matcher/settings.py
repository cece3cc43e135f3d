"""Typed settings of the matcher process (environment prefix ``MATCHER_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.embedding.settings import EmbeddingSettings
from academichub.platform.settings import CommonSettings


class MatcherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True)

    common: CommonSettings = Field(default_factory=CommonSettings)
    # keyword: store and index papers, match the radars whose query alone decides.
    # embed: embed papers (EMBEDDING_*), keep their vectors, match the semantic radars and
    # those learning from 👍/👎. Run both; scale each by replicas.
    role: Literal["keyword", "embed"] = Field(
        default="keyword",
        description="keyword: store, index and keyword-match papers; embed: embed papers "
        "and match semantic radars (its own consumer group, MATCHER_EMBED_GROUP_ID)",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    # The consumer group of `papers` (KEDA's ScaledObject scales on its lag: keep them equal).
    group_id: str = Field(default="academichub-matcher", min_length=1)
    # /metrics, /healthz and /readyz: every replica on a machine needs its own port.
    web_port: int = Field(default=6066, ge=1, le=65535)
    web_bind: str = "127.0.0.1"
    # A batch of papers: this many, or what arrived within this time, whichever is first.
    batch_size: int = Field(default=200, ge=1, le=10_000)
    batch_within_seconds: float = Field(default=0.3, gt=0, le=30)
    # Tansu holds a JoinGroup for half the session timeout (measured: 10 s -> 5.0 s,
    # 6 s -> 3.0 s, 3 s -> 2.0 s, whatever the rebalance timeout), and a dead worker's
    # partitions move after it: 6 s (heartbeats every 2 s, sent by aiokafka's own task
    # while batches are matched on the store thread) keeps start and failover quick.
    session_timeout_seconds: float = Field(default=6.0, ge=3, le=300)
    rebalance_timeout_seconds: float = Field(default=10.0, ge=3, le=300)
    # Not ready while a consumer has not polled for this long (a batch takes seconds).
    consumer_stall_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Not live (/healthz 503: restart me) while a consumer has not polled for this long.
    consumer_liveness_seconds: float = Field(default=300.0, gt=0, le=86400)
    store_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # A new or changed radar's backfill reads this many candidate papers per slice; live
    # batches run between slices, so a slice is kept shorter than a batch (measured by
    # academichub bench backfill: 50 papers take about a third of a batch of 200).
    backfill_slice: int = Field(default=50, ge=1, le=10_000)
    broker_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # Radars are read again from the store this often, and at once when the radars
    # topic turns out to be a new log (a broker restart): changes the topic lost.
    radar_resync_seconds: float = Field(default=300.0, gt=0, le=86400)
    # The embedded store has one index writer; other replicas set this false, store their
    # papers' records and leave indexing to the writer. With Elasticsearch all write.
    # (The embed role never writes the index.)
    index_writer: bool = True

    # --- the embed role ----------------------------------------------------------------
    # Its consumer group of `papers` (KEDA scales the embed Deployment on its lag).
    embed_group_id: str = Field(default="academichub-embedder", min_length=1)
    # Papers embedded per batch (~10 abstracts/s per core with the packaged model), or what
    # arrived within this time.
    embed_batch_size: int = Field(default=256, ge=1, le=4096)
    embed_batch_within_seconds: float = Field(default=2.0, gt=0, le=60)
    # Semantic radars' rows in float32, or int8 (a quarter of the memory; see bench match).
    semantic_dtype: Literal["float32", "int8"] = "float32"
    # How often the lag (papers without vectors) is counted, and the day checked for the
    # daily refresh of thresholds.
    embed_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    # An embedding endpoint down: batches tried this many times (backing off) before the
    # process gives up and restarts.
    embed_attempts: int = Field(default=5, ge=1, le=100)
    # Keep the compiled radar index across restarts (academichub.matcher.snapshot): written
    # to the data folder on a clean stop, read and brought up to date at start.
    index_snapshot: bool = True
