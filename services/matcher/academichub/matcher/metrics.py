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
        self.radars = Gauge(
            "academichub_matcher_radars", "Radars held in the compiled index", registry=registry
        )
        self.batch_seconds = Histogram(
            "academichub_matcher_batch_duration_seconds",
            "Time to store, index and match one batch of papers",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
