"""A model that misbehaves degrades the briefing, never the briefer.

Against the scripted OpenAI-compatible server on 127.0.0.1 (:mod:`.chat_server`), through
the real ``openai`` client: an endpoint that answers 200 with a body that is no chat
completion (an HTML page, nothing, half a JSON document, the wrong schema, no choices, an
empty answer), one that answers garbage content, one that answers slowly, one that hangs,
and one that fails. Each is a model failure: the window is briefed extractively (and
upgraded later where the failure may pass), the failure counts against the circuit breaker
and in ``llm_requests_total`` under what it is -- never as ``ok`` -- and nothing escapes
the composer. A briefer told to stop while a model call hangs stops, the call cancelled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator

import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.domain.breaker import CircuitBreaker
from academichub.briefer.domain.composer import Composed, Composer
from academichub.briefer.domain.model import ChatModel
from academichub.briefer.domain.policy import WindowPolicy
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.openai_model import OpenAIChatModel, RetryPolicy
from academichub.briefer.service import BrieferService, run_closer
from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Paper, TopicName
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from tests.integration.briefer.chat_server import (
    ChatServer,
    Reply,
    serve_chat,
    well_behaved_answer,
)
from tests.unit.briefer.briefer_samples import T0, make_composer, match, radar, sample

pytestmark = pytest.mark.integration

IDS = ["arxiv:2606.00001", "arxiv:2606.00002", "arxiv:2606.00003"]
HANG = 600.0  # seconds: longer than any test runs, so only a cancellation ends the call


def papers() -> list[Paper]:
    return [
        Paper(
            id=pid,
            version=1,
            source="arxiv",
            title=f"Surface code study {n}",
            abstract=f"Background {n}. We show that lattice surgery improves threshold {n}.",
            categories=("quant-ph",) if n < 3 else ("cs.LG",),
            published=dt.date(2026, 6, 12),
        )
        for n, pid in enumerate(IDS, start=1)
    ]


def completion(content: str) -> bytes:
    return Reply(content=content).body()


class NoSleep:
    async def __call__(self, seconds: float) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with serve_chat() as running:
        yield running


@pytest.fixture
def metrics() -> BrieferMetrics:
    return BrieferMetrics(CollectorRegistry())


def adapter(
    server: ChatServer, metrics: BrieferMetrics, *, slow: float | None = None, timeout: float = 30
) -> OpenAIChatModel:
    return OpenAIChatModel(
        base_url=server.base_url,
        model="test-model",
        timeout_seconds=timeout,
        slow_seconds=slow,
        retry=RetryPolicy(max_attempts=2, backoff_seconds=0.01),
        observer=metrics,
        sleep=NoSleep(),
    )


@pytest.fixture
async def model(server: ChatServer, metrics: BrieferMetrics) -> AsyncIterator[OpenAIChatModel]:
    built = adapter(server, metrics)
    yield built
    await built.aclose()


async def brief(model: ChatModel, metrics: BrieferMetrics, **options: float) -> Composed:
    composer = make_composer(model, metrics=metrics)
    if options:
        composer = Composer(
            model=model,
            summaries=None,
            observer=metrics,
            clock=lambda: T0,
            deadline_seconds=options["deadline"],
        )
    return await composer.compose(papers(), radar=radar(), window=1)


def outcomes(metrics: BrieferMetrics) -> dict[str, float]:
    found: dict[str, float] = {}
    for family in metrics.registry.collect():
        for s in family.samples:
            if s.name == "academichub_briefer_llm_requests_total":
                outcome = s.labels["outcome"]
                found[outcome] = found.get(outcome, 0) + s.value
    return found


UNUSABLE_BODIES = {
    "an HTML error page": b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    "nothing": b"",
    "half a completion": completion('{"overview": "x"}')[:60],
    "the wrong schema": json.dumps({"object": "error", "message": "overloaded"}).encode(),
    "no choices": json.dumps({"id": "x", "model": "m", "choices": []}).encode(),
    "an empty answer": completion(""),
    "JSON nested too deeply": b"[" * 100_000,
}


@pytest.mark.parametrize("body", UNUSABLE_BODIES.values(), ids=UNUSABLE_BODIES.keys())
async def test_a_200_whose_body_is_no_completion_is_a_model_failure(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics, body: bytes
) -> None:
    server.reply(Reply(raw=body))

    composed = await brief(model, metrics)  # raised JSONDecodeError out of the adapter

    b = composed.briefing
    assert (b.provider, b.degraded) == ("extractive", True)
    assert composed.upgradable  # the endpoint is broken, not the request: try again later
    assert b.degraded_reason is not None
    assert "model failed:" in b.degraded_reason
    assert outcomes(metrics) == {"invalid_response": 1.0}
    assert len(server.requests) == 1  # not retried as if the network had failed


async def test_garbage_answers_are_counted_as_invalid_and_open_the_breaker(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.responder = lambda body: Reply(content="As an AI, I think these papers are great.")
    breaker = CircuitBreaker(model, failures=3, cooldown_seconds=600, observer=metrics)

    first = await brief(breaker, metrics)
    second = await brief(breaker, metrics)

    # TL;DRs (asked and repaired) and the briefing (asked and repaired): four answers, none
    # usable, each counted as what it is; the third to fail opened the circuit.
    assert first.briefing.provider == second.briefing.provider == "extractive"
    assert outcomes(metrics) == {"invalid_answer": 3.0}
    assert breaker.state == "open"
    assert len(server.requests) == 3  # the second window did not call the endpoint at all
    assert second.upgradable  # the breaker's "unavailable": upgraded when it closes
    assert sample(metrics, "circuit_opened_total") == 1


async def test_slow_answers_are_used_but_counted_as_slow_and_open_the_breaker(
    server: ChatServer, metrics: BrieferMetrics
) -> None:
    server.responder = lambda body: Reply(content=json.dumps(well_behaved_answer(body)), delay=0.3)
    slow = adapter(server, metrics, slow=0.1)
    breaker = CircuitBreaker(slow, failures=2, cooldown_seconds=600, observer=metrics)
    try:
        composed = await brief(breaker, metrics)
    finally:
        await slow.aclose()

    assert composed.briefing.provider == "openai"  # a slow answer is still an answer
    assert outcomes(metrics) == {"slow": 2.0}
    assert breaker.state == "open"  # ... but an endpoint that only answers slowly is down


async def test_a_hanging_model_is_cut_off_by_the_window_deadline_and_upgraded_later(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.reply(Reply(content="{}", delay=HANG))

    composed = await brief(model, metrics, deadline=0.5)

    b = composed.briefing
    assert (b.provider, b.degraded, composed.fallback) == ("extractive", True, "model_slow")
    assert composed.upgradable
    assert b.degraded_reason == ("the model did not finish within the window's deadline of 0.5s")
    assert outcomes(metrics) == {"cancelled": 1.0}
    assert sample(metrics, "model_deadlines_total") == 1
    # The call was cancelled, not left running: the server sees the client hang up.
    assert await asyncio.to_thread(server.hung_up.wait, 30)
    assert len(server.abandoned) == 1


async def test_a_failing_model_degrades_and_is_counted_as_failing(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.responder = lambda body: Reply(status=500, error="boom")

    composed = await brief(model, metrics)

    assert (composed.briefing.provider, composed.upgradable) == ("extractive", True)
    assert outcomes(metrics) == {"server_error": 2.0}  # two attempts, no "ok"


async def test_stopping_the_briefer_cancels_a_hanging_model_call(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    """The closer, told to stop while the model hangs, returns: the call is cancelled, the
    window stays open in the store for the next start, nothing is published."""
    store = InMemoryStore()
    store.radars.put_radar(radar())
    store.papers.upsert_papers(papers())
    for n in (1, 2, 3):
        store.briefings.enqueue_for_briefing(match(n))
    server.responder = lambda body: Reply(content="{}", delay=HANG)
    publisher = RecordingPublisher()
    service = BrieferService(
        store=AsyncStore.inline(store),
        publisher=publisher,
        composer=make_composer(model, store=store, metrics=metrics),
        policy=WindowPolicy(max_papers=3, max_age=dt.timedelta(days=1)),
        metrics=metrics,
        clock=lambda: T0 + dt.timedelta(hours=1),
    )
    stop = asyncio.Event()
    closer = asyncio.create_task(run_closer(service, stop, interval=0.05))
    # The window's first model call is in flight (the wait is a guard against a hang).
    assert await asyncio.to_thread(server.received.wait, 30)

    stop.set()
    await asyncio.wait_for(closer, timeout=30)  # a guard against a hang, not a measure

    assert outcomes(metrics) == {"cancelled": 1.0}
    assert publisher.on(TopicName.BRIEFINGS) == []
    # Briefed on the next start.
    assert [w.radar_id for w in store.briefings.open_windows()] == ["r1"]
    assert await asyncio.to_thread(server.hung_up.wait, 30)
    assert len(server.abandoned) == 1
