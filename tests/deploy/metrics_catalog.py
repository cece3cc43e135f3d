"""Every metric name a PromQL expression may use, with the labels it carries.

The services' metrics are taken from the services themselves: each metrics class is
instantiated on a fresh registry, so the names are the exported ones (``_total`` on
counters, ``_bucket``/``_sum``/``_count`` on histograms) and a renamed metric breaks the
dashboard test instead of the dashboard. Kafka's consumer lag comes from Kafka Exporter
(danielqsj/kafka_exporter, which Strimzi deploys as ``spec.kafkaExporter`` and compose runs
as the service ``kafka-exporter``); its metrics are listed from its documentation.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from prometheus_client import CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

METRICS_CLASSES = (
    "academichub.gateway.metrics:GatewayMetrics",
    "academichub.ingestor.metrics:IngestorMetrics",
    "academichub.matcher.metrics:MatcherMetrics",
    "academichub.briefer.metrics:BrieferMetrics",
    "academichub.broker.metrics:ConsumerMetrics",
)

# danielqsj/kafka_exporter, README "Metrics" (the version Strimzi bundles has the same names).
KAFKA_EXPORTER: Mapping[str, frozenset[str]] = {
    "kafka_brokers": frozenset(),
    "kafka_broker_info": frozenset({"address", "id"}),
    "kafka_topic_partitions": frozenset({"topic"}),
    "kafka_topic_partition_current_offset": frozenset({"topic", "partition"}),
    "kafka_topic_partition_oldest_offset": frozenset({"topic", "partition"}),
    "kafka_topic_partition_in_sync_replica": frozenset({"topic", "partition"}),
    "kafka_topic_partition_leader": frozenset({"topic", "partition"}),
    "kafka_topic_partition_leader_is_preferred": frozenset({"topic", "partition"}),
    "kafka_topic_partition_replicas": frozenset({"topic", "partition"}),
    "kafka_topic_partition_under_replicated_partition": frozenset({"topic", "partition"}),
    "kafka_consumergroup_current_offset": frozenset({"consumergroup", "topic", "partition"}),
    "kafka_consumergroup_current_offset_sum": frozenset({"consumergroup", "topic"}),
    "kafka_consumergroup_lag": frozenset({"consumergroup", "topic", "partition"}),
    "kafka_consumergroup_lag_sum": frozenset({"consumergroup", "topic"}),
    "kafka_consumergroup_members": frozenset({"consumergroup"}),
}

# Series Prometheus itself adds for every scrape target.
PROMETHEUS_BUILTIN: Mapping[str, frozenset[str]] = {
    "up": frozenset(),
    "scrape_duration_seconds": frozenset(),
    "scrape_samples_scraped": frozenset(),
}

# Labels Prometheus attaches to every series of a target (compose static configs and the
# Prometheus Operator's ServiceMonitor/PodMonitor relabelling).
TARGET_LABELS = frozenset(
    {"job", "instance", "namespace", "pod", "service", "container", "endpoint"}
)


def _sample_names(name: str, kind: str) -> dict[str, frozenset[str]]:
    """Series names a metric family of ``kind`` exposes, with the labels each adds."""
    none: frozenset[str] = frozenset()
    if kind == "counter":
        return {f"{name}_total": none, f"{name}_created": none}
    if kind == "histogram":
        return {
            f"{name}_bucket": frozenset({"le"}),
            f"{name}_sum": none,
            f"{name}_count": none,
            f"{name}_created": none,
        }
    if kind == "summary":
        return {
            name: frozenset({"quantile"}),
            f"{name}_sum": none,
            f"{name}_count": none,
            f"{name}_created": none,
        }
    if kind == "info":
        return {f"{name}_info": none}
    return {name: none}


def service_metrics() -> dict[str, frozenset[str]]:
    """Series name -> label names, for every metric the four services define."""
    found: dict[str, frozenset[str]] = {}
    for path in METRICS_CLASSES:
        module, name = path.split(":")
        registry = CollectorRegistry()
        holder = getattr(importlib.import_module(module), name)(registry)
        for attribute in vars(holder).values():
            if not isinstance(attribute, MetricWrapperBase):
                continue
            family = next(iter(attribute.describe()))
            # prometheus_client keeps label names only on the wrapper (no public accessor).
            labels = frozenset(attribute._labelnames)
            for series, extra in _sample_names(family.name, family.type).items():
                found[series] = labels | extra
    return found


def known_metrics() -> dict[str, frozenset[str]]:
    return {**PROMETHEUS_BUILTIN, **KAFKA_EXPORTER, **service_metrics()}
