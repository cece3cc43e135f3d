"""The matcher's Prometheus metrics, created once per process by the composition root.

Its consumers' (events, dead letters, progress per topic) are
:class:`academichub.broker.metrics.ConsumerMetrics`, the same in every consuming service.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class MatcherMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.papers = Counter(
            "academichub_matcher_papers_total",
            "Papers consumed, by what the store did with them",
            ["outcome"],
            registry=registry,
        )
        self.matches = Counter(
            "academichub_matcher_matches_total", "Matches emitted", registry=registry
        )
        self.radar_changes = Counter(
            "academichub_matcher_radar_changes_total",
            "Radar changes applied",
            ["kind"],
            registry=registry,
        )
        self.radars_resynced = Counter(
            "academichub_matcher_radars_resynced_total",
            "Radars installed or removed by reading the store again, by change (changes "
            "the radars topic did not deliver, as when the broker lost it)",
            ["change"],
            registry=registry,
        )
        self.radars = Gauge(
            "academichub_matcher_radars", "Radars held in the compiled index", registry=registry
        )
        self.backfills = Counter(
            "academichub_matcher_backfills_total",
            "Radar backfills (a new or changed query matched against the recent stored "
            "papers) finished",
            registry=registry,
        )
        self.backfills_running = Gauge(
            "academichub_matcher_backfills_running",
            "Radar backfills in progress",
            registry=registry,
        )
        self.backfill_papers = Counter(
            "academichub_matcher_backfill_papers_total",
            "Candidate papers read through the search index by backfills",
            registry=registry,
        )
        self.backfill_slice_seconds = Histogram(
            "academichub_matcher_backfill_slice_duration_seconds",
            "Time the store thread spends on one backfill slice (a live batch waits at "
            "most this long behind it)",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.retracted = Counter(
            "academichub_matcher_retracted_matches_total",
            "Matches retracted because their radar was deleted or its query no longer holds them",
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "academichub_matcher_batch_duration_seconds",
            "Time to store, index and match one batch of papers",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        # The embedding role (MATCHER_ROLE=embed).
        self.texts_embedded = Counter(
            "academichub_matcher_texts_embedded_total",
            "Paper and interest texts embedded (rate: texts per second)",
            ["kind"],
            registry=registry,
        )
        self.embed_seconds = Histogram(
            "academichub_matcher_embed_batch_duration_seconds",
            "Time to embed one batch of texts",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120),
            registry=registry,
        )
        self.vectors_written = Counter(
            "academichub_matcher_vectors_written_total",
            "Papers' vectors stored (a replayed or stale version is not)",
            registry=registry,
        )
        self.papers_without_vectors = Gauge(
            "academichub_matcher_papers_without_vectors",
            "Stored papers whose latest version has no vector of the running model yet",
            registry=registry,
        )
        self.semantic_radars = Gauge(
            "academichub_matcher_semantic_radars",
            "Radars matched by the embedding role, and those of them with a profile",
            ["state"],
            registry=registry,
        )
        self.bank_bytes = Gauge(
            "academichub_matcher_semantic_bank_bytes",
            "Memory held by the semantic radars' matrices",
            registry=registry,
        )
