"""The briefer's Prometheus metrics, created once per process by the composition root.

:class:`BrieferMetrics` also implements the observer ports of the composer and the model
adapter, so those modules stay free of prometheus. Tests pass their own registry.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class BrieferMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.briefings = Counter(
            "academichub_briefer_briefings_total",
            "Briefings stored and published, by provider and whether degraded",
            ["provider", "degraded"],
            registry=registry,
        )
        self.llm_requests = Counter(
            "academichub_briefer_llm_requests_total",
            "Requests to the language model endpoint, by outcome",
            ["outcome"],
            registry=registry,
        )
        self.llm_seconds = Histogram(
            "academichub_briefer_llm_request_duration_seconds",
            "Duration of one request to the language model endpoint",
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120),
            registry=registry,
        )
        self.llm_tokens = Counter(
            "academichub_briefer_llm_tokens_total",
            "Tokens reported by the language model endpoint, by kind",
            ["kind"],
            registry=registry,
        )
        self.citations_rejected = Counter(
            "academichub_briefer_citations_rejected_total",
            "Citations removed from model drafts, by reason",
            ["reason"],
            registry=registry,
        )
        self.claims_dropped = Counter(
            "academichub_briefer_claims_dropped_total",
            "Claims dropped from model drafts for lack of valid citations, by kind",
            ["kind"],
            registry=registry,
        )
        self.poison = Counter(
            "academichub_briefer_poison_events_total",
            "Undecodable matches sent to the dead-letter topic",
            registry=registry,
        )
        self.open_windows = Gauge(
            "academichub_briefer_open_windows",
            "Radars with a briefing window open, at the last closer pass",
            registry=registry,
        )

    # --- observer ports ---------------------------------------------------------------
    def observe_llm_request(self, outcome: str, seconds: float) -> None:
        self.llm_requests.labels(outcome=outcome).inc()
        self.llm_seconds.observe(seconds)

    def observe_llm_tokens(self, prompt: int, completion: int) -> None:
        self.llm_tokens.labels(kind="prompt").inc(prompt)
        self.llm_tokens.labels(kind="completion").inc(completion)

    def observe_citations_rejected(self, reason: str, count: int) -> None:
        self.citations_rejected.labels(reason=reason).inc(count)

    def observe_claims_dropped(self, kind: str, count: int) -> None:
        self.claims_dropped.labels(kind=kind).inc(count)

    def observe_briefing(self, provider: str, degraded: bool) -> None:
        self.briefings.labels(provider=provider, degraded=str(degraded).lower()).inc()
