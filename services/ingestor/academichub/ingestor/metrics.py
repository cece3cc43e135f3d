"""The ingestor's Prometheus metrics, created once per process by the composition root."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class IngestorMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.polls = Counter(
            "academichub_ingestor_polls_total",
            "Feed polls by source and outcome (ok, not_modified, feed_error, http_error, error, "
            "unreachable, refused)",
            ["source", "outcome"],
            registry=registry,
        )
        self.entries = Counter(
            "academichub_ingestor_entries_total",
            "Feed entries by source and outcome (published, duplicate, malformed, linked, "
            "refused: the broker refused it for good)",
            ["source", "outcome"],
            registry=registry,
        )
        self.repairs = Counter(
            "academichub_ingestor_repairs_total",
            "What was changed to read a document and keep its papers clean and bounded, by "
            "source, paper field (or 'document') and kind (control, bidi, invisible, "
            "undecodable, truncated, cut, dropped, skipped); characters, items or fields",
            ["source", "field", "kind"],
            registry=registry,
        )
        self.sent = Gauge(
            "academichub_ingestor_sent_papers",
            "Papers published and kept until the store is seen to hold them (the sent outbox)",
            registry=registry,
        )
        self.unstored = Gauge(
            "academichub_ingestor_unstored_papers",
            "Papers published, not stored INGESTOR_SENT_CHECK_AFTER_SECONDS later (the broker "
            "lost them), published again and still not seen stored",
            registry=registry,
        )
        self.republished = Counter(
            "academichub_ingestor_republished_papers_total",
            "Papers published again because the store did not hold them after "
            "INGESTOR_SENT_CHECK_AFTER_SECONDS",
            registry=registry,
        )
        self.sent_evicted = Counter(
            "academichub_ingestor_sent_evicted_total",
            "Papers forgotten by the sent outbox to keep within INGESTOR_SENT_KEEP (their "
            "storage is no longer checked)",
            registry=registry,
        )
        self.last_success = Gauge(
            "academichub_ingestor_last_success_timestamp_seconds",
            "Unix time of the last successful poll",
            ["source"],
            registry=registry,
        )
        self.last_poll_items = Gauge(
            "academichub_ingestor_last_poll_items",
            "Entries in the last successful poll",
            ["source"],
            registry=registry,
        )
        self.last_error = Gauge(
            "academichub_ingestor_last_error_timestamp_seconds",
            "Unix time of the last failed poll (the message is in GET /api/sources)",
            ["source"],
            registry=registry,
        )
        self.next_poll = Gauge(
            "academichub_ingestor_next_poll_timestamp_seconds",
            "Unix time the source is polled next",
            ["source"],
            registry=registry,
        )
        self.stale = Gauge(
            "academichub_ingestor_source_stale",
            "1 while a feed's announcement date lags the arXiv calendar",
            ["source"],
            registry=registry,
        )
        self.retries = Counter(
            "academichub_ingestor_http_retries_total",
            "HTTP requests retried (timeouts, 429, 5xx), by host",
            ["host"],
            registry=registry,
        )
