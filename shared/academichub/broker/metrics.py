"""What every consumer loop reports, by topic, in whichever service runs it.

The same names in every consuming service (Prometheus tells them apart by ``job``), so one
alert covers every dead-lettered event. Created once per process by its composition root.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge

from academichub.contracts import TopicName


class ConsumerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.poison = Counter(
            "academichub_poison_events_total",
            "Events of a topic sent to its dead-letter topic (undecodable or refused)",
            ["topic"],
            registry=registry,
        )
        self.events = Counter(
            "academichub_consumed_events_total",
            "Events of a topic decoded and handled",
            ["topic"],
            registry=registry,
        )
        self.last_poll = Gauge(
            "academichub_consumer_last_poll_timestamp_seconds",
            "When the consumer of a topic last polled it (Unix time)",
            ["topic"],
            registry=registry,
        )
        self.retries = Counter(
            "academichub_consumer_retries_total",
            "Batches of a topic handled again after a transient failure (the broker or a "
            "dependency unreachable), after a backoff",
            ["topic"],
            registry=registry,
        )
        self.commit_failures = Counter(
            "academichub_consumer_commit_failures_total",
            "Commits the broker did not record (reason: rebalance -- the partitions moved or "
            "the group forgot the member, as after a broker restart; gone -- the topic "
            "vanished; unavailable -- no answer in time); the events are consumed again",
            ["topic", "reason"],
            registry=registry,
        )
        self.log_resets = Counter(
            "academichub_consumer_log_resets_total",
            "Partitions read again from their start because the consumer's position was past "
            "the end of the log (the broker lost the topic or it was made again)",
            ["topic"],
            registry=registry,
        )
        self.last_commit = Gauge(
            "academichub_consumer_last_commit_timestamp_seconds",
            "When the consumer of a topic last committed a batch (Unix time)",
            ["topic"],
            registry=registry,
        )

    def polled(self, topic: TopicName) -> None:
        self.last_poll.labels(topic=str(topic)).set(time.time())

    def poisoned(self, topic: TopicName) -> None:
        self.poison.labels(topic=str(topic)).inc()

    def consumed(self, topic: TopicName, count: int) -> None:
        self.events.labels(topic=str(topic)).inc(count)

    def committed(self, topic: TopicName) -> None:
        self.last_commit.labels(topic=str(topic)).set(time.time())

    def retried(self, topic: TopicName) -> None:
        self.retries.labels(topic=str(topic)).inc()

    def commit_failed(self, topic: TopicName, reason: str) -> None:
        self.commit_failures.labels(topic=str(topic), reason=reason).inc()

    def log_reset(self, topic: TopicName) -> None:
        self.log_resets.labels(topic=str(topic)).inc()
