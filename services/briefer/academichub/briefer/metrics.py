"""The briefer's Prometheus metrics, created once per process by the composition root.

:class:`BrieferMetrics` also implements the observer ports of the composer, the summary
cache, the circuit breaker and the model adapter, so those modules stay free of
prometheus. Tests pass their own registry. No label carries a user or radar id. Its
consumer's metrics (dead letters, progress) are :class:`academichub.broker.metrics.
ConsumerMetrics`, the same in every consuming service.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_CIRCUIT_STATES: Final = {"closed": 0, "half_open": 1, "open": 2}


class BrieferMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.briefings = Counter(
            "academichub_briefer_briefings_total",
            "Briefings stored and published, by provider and whether degraded",
            ["provider", "degraded"],
            registry=registry,
        )
        self.upgrades = Counter(
            "academichub_briefer_upgrades_total",
            "Degraded briefings rewritten by the model and published again",
            registry=registry,
        )
        self.unqueued = Gauge(
            "academichub_briefer_unqueued_matches",
            "Matches recorded over BRIEFER_UNQUEUED_AFTER_SECONDS ago and in no briefing "
            "window, as the last pass found them (at most one batch): lost on their way, "
            "now queued from the store",
            registry=registry,
        )
        self.recovered = Counter(
            "academichub_briefer_recovered_matches_total",
            "Matches queued for a briefing from the store because their event never came",
            registry=registry,
        )
        self.refused = Counter(
            "academichub_briefer_briefings_refused_total",
            "Briefings stored but refused by the broker for good (over the event size): "
            "served by the API, never announced on the briefings topic",
            registry=registry,
        )
        self.republished = Counter(
            "academichub_briefer_republished_total",
            "Stored briefings published late (a publish was interrupted)",
            registry=registry,
        )
        self.llm_requests = Counter(
            "academichub_briefer_llm_requests_total",
            "Requests to the language model endpoint, by task and outcome (ok, slow, "
            "invalid_answer, invalid_response, refused, rate_limited, server_error, "
            "client_error, timeout, connection_error, cancelled)",
            ["task", "outcome"],
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
            "Tokens spent on the language model (reported, else estimated), by model, "
            "task and kind (prompt, completion)",
            ["model", "task", "kind"],
            registry=registry,
        )
        self.invalid_replies = Counter(
            "academichub_briefer_llm_invalid_replies_total",
            "Model answers that were not valid JSON of the asked shape, by task",
            ["task"],
            registry=registry,
        )
        self.summary_lookups = Counter(
            "academichub_briefer_summary_cache_total",
            "Per-paper TL;DR lookups: hit (stored), joined (being written), miss (asked)",
            ["result"],
            registry=registry,
        )
        self.citations_rejected = Counter(
            "academichub_briefer_citations_rejected_total",
            "Citations removed from model answers and claims dropped for want of one, by reason",
            ["reason"],
            registry=registry,
        )
        self.claims_dropped = Counter(
            "academichub_briefer_claims_dropped_total",
            "Claims dropped from model answers for lack of valid citations, by kind",
            ["kind"],
            registry=registry,
        )
        self.budget_fallbacks = Counter(
            "academichub_briefer_budget_fallbacks_total",
            "Briefings written extractively because a token budget would be exceeded, "
            "by scope (radar, user, briefing)",
            ["scope"],
            registry=registry,
        )
        self.syntheses = Counter(
            "academichub_briefer_syntheses_total",
            "Model briefings attempted, by mode (direct, staged)",
            ["mode"],
            registry=registry,
        )
        self.omitted_papers = Counter(
            "academichub_briefer_omitted_papers_total",
            "Window papers left out of model briefings by the per-briefing token budget",
            registry=registry,
        )
        self.model_deadlines = Counter(
            "academichub_briefer_model_deadlines_total",
            "Windows briefed extractively because the model did not finish within the "
            "per-window deadline (their calls cancelled; upgraded later)",
            registry=registry,
        )
        self.circuit = Gauge(
            "academichub_briefer_circuit_state",
            "Circuit breaker around the model: 0 closed, 1 half-open, 2 open",
            registry=registry,
        )
        self.circuit_opened = Counter(
            "academichub_briefer_circuit_opened_total",
            "Times the circuit breaker opened",
            registry=registry,
        )
        self.deliveries = Counter(
            "academichub_briefer_deliveries_total",
            "Delivery attempts by channel (email, webhook) and outcome (sent, retry, "
            "failed), and records closed as interrupted by a crash",
            ["channel", "outcome"],
            registry=registry,
        )
        self.delivery_seconds = Histogram(
            "academichub_briefer_delivery_duration_seconds",
            "Duration of one delivery attempt (an SMTP session, a webhook call), by channel",
            ["channel"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )
        self.open_windows = Gauge(
            "academichub_briefer_open_windows",
            "Radars with a briefing window open, at the last closer pass",
            registry=registry,
        )

    # --- observer ports ---------------------------------------------------------------
    def observe_llm_request(self, task: str, outcome: str, seconds: float) -> None:
        self.llm_requests.labels(task=task, outcome=outcome).inc()
        self.llm_seconds.observe(seconds)

    def observe_llm_tokens(self, model: str, task: str, prompt: int, completion: int) -> None:
        self.llm_tokens.labels(model=model, task=task, kind="prompt").inc(prompt)
        self.llm_tokens.labels(model=model, task=task, kind="completion").inc(completion)

    def observe_invalid_reply(self, task: str) -> None:
        self.invalid_replies.labels(task=task).inc()

    def observe_summary_lookups(self, result: str, count: int) -> None:
        self.summary_lookups.labels(result=result).inc(count)

    def observe_citations_rejected(self, reason: str, count: int) -> None:
        self.citations_rejected.labels(reason=reason).inc(count)

    def observe_claims_dropped(self, kind: str, count: int) -> None:
        self.claims_dropped.labels(kind=kind).inc(count)
        # The issue counts both in one metric: an uncited claim is a rejected citation.
        self.citations_rejected.labels(reason=f"uncited_{kind}").inc(count)

    def observe_budget_fallback(self, scope: str) -> None:
        self.budget_fallbacks.labels(scope=scope).inc()

    def observe_synthesis(self, mode: str, included: int, omitted: int) -> None:
        self.syntheses.labels(mode=mode).inc()
        self.omitted_papers.inc(omitted)

    def observe_model_deadline(self) -> None:
        self.model_deadlines.inc()

    def observe_circuit(self, state: str) -> None:
        self.circuit.set(_CIRCUIT_STATES[state])
        if state == "open":
            self.circuit_opened.inc()

    def observe_delivery(self, channel: str, outcome: str, seconds: float | None) -> None:
        self.deliveries.labels(channel=channel, outcome=outcome).inc()
        if seconds is not None:
            self.delivery_seconds.labels(channel=channel).observe(seconds)

    def observe_briefing(self, provider: str, degraded: bool) -> None:
        self.briefings.labels(provider=provider, degraded=str(degraded).lower()).inc()
