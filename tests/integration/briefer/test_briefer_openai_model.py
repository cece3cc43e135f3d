"""The OpenAI adapter and the composer through the real ``openai`` client, against a
real HTTP server on 127.0.0.1 that behaves like an OpenAI-compatible endpoint: well,
with invalid JSON, with invented paper ids, with 429 and Retry-After, with 500s, with
timeouts, without structured outputs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator

import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.domain.breaker import CircuitBreaker
from academichub.briefer.domain.composer import Composed
from academichub.briefer.domain.model import ChatModel
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.openai_model import OpenAIChatModel, RetryPolicy
from academichub.contracts import Paper
from tests.integration.briefer.chat_server import (
    ChatServer,
    Reply,
    serve_chat,
    well_behaved,
)
from tests.unit.briefer.briefer_samples import make_composer, radar, sample

pytestmark = pytest.mark.integration

IDS = ["arxiv:2606.00001", "arxiv:2606.00002", "arxiv:2606.00003"]


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


TLDRS = json.dumps(
    {"summaries": [{"paper_id": i, "tldr_en": f"TL;DR {i}", "tldr_zh": f"要点 {i}"} for i in IDS]},
    ensure_ascii=False,
)


def tldrs_reply() -> Reply:
    return Reply(content=TLDRS)


def briefing(ids: list[str] = IDS, *, overview: str = "Three papers on surface codes.") -> str:
    return json.dumps(
        {
            "overview": overview,
            "themes": [
                {"title": "Surface codes", "synthesis": "Thresholds improve.", "paper_ids": ids}
            ],
            "connections": [
                {
                    "finding": "Learned decoders meet lattice surgery",
                    "fields": ["quant-ph", "cs"],
                    "paper_ids": [ids[0], ids[-1]],
                }
            ],
            "notable": [{"paper_id": ids[0], "reason": "Best threshold."}],
        }
    )


class Sleeps:
    """Records backoff waits instead of sleeping them, keeping the suite fast."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with serve_chat() as running:
        yield running


@pytest.fixture
def metrics() -> BrieferMetrics:
    return BrieferMetrics(CollectorRegistry())


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def model(
    server: ChatServer, metrics: BrieferMetrics, sleeps: Sleeps
) -> AsyncIterator[OpenAIChatModel]:
    adapter = OpenAIChatModel(
        base_url=server.base_url,
        model="test-model",
        api_key="sk-test",
        timeout_seconds=0.5,
        retry=RetryPolicy(max_attempts=3, backoff_seconds=0.25, max_retry_after_seconds=10),
        observer=metrics,
        sleep=sleeps,
        jitter=lambda: 0.5,
    )
    yield adapter
    await adapter.aclose()


async def brief(model: ChatModel, metrics: BrieferMetrics, lang: str = "en") -> Composed:
    return await make_composer(model, metrics=metrics).compose(
        papers(), radar=radar(language=lang), window=1
    )


async def test_a_good_answer_becomes_the_briefing(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.reply(tldrs_reply(), Reply(content=briefing()))
    b = (await brief(model, metrics)).briefing

    assert (b.provider, b.model, b.degraded) == ("openai", "served-model", False)
    assert b.overview == "Three papers on surface codes."
    assert [(t.paper_id, t.tldr) for t in b.tldrs] == [(i, f"TL;DR {i}") for i in IDS]
    assert b.connections[0].paper_ids == (IDS[0], IDS[2])
    summaries, request = server.requests
    for body in (summaries, request):
        assert body["model"] == "test-model"
        assert body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["strict"] is True
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
        assert "UNTRUSTED PAPER DATA" in body["messages"][1]["content"]
        # The model is given nothing to call.
        assert not {"tools", "tool_choice", "functions", "function_call"} & set(body)
        assert body["max_tokens"] > 0
    assert server.tasks() == ["paper_summaries", "briefing"]
    assert sample(metrics, "llm_requests_total", task="briefing", outcome="ok") == 1
    labels = {"model": "test-model", "task": "briefing"}
    assert sample(metrics, "llm_tokens_total", kind="prompt", **labels) == 120
    assert sample(metrics, "llm_tokens_total", kind="completion", **labels) == 80
    assert sample(metrics, "llm_request_duration_seconds_count") == 2


async def test_invalid_json_is_repaired_with_one_more_request(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.reply(
        tldrs_reply(),
        Reply(content="Here is the briefing: {overview: oops"),
        Reply(content=briefing()),
    )
    b = (await brief(model, metrics)).briefing

    assert (b.provider, b.degraded) == ("openai", False)
    repair = server.requests[2]
    assert [m["role"] for m in repair["messages"]] == ["system", "user", "assistant", "user"]
    assert repair["messages"][2]["content"] == "Here is the briefing: {overview: oops"
    assert "not valid JSON" in repair["messages"][3]["content"]
    assert sample(metrics, "llm_invalid_replies_total", task="briefing") == 1


async def test_still_invalid_after_the_repair_falls_back(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.reply(tldrs_reply(), Reply(content="no"), Reply(content='{"themes": []}'))
    composed = await brief(model, metrics)
    b = composed.briefing

    assert (b.provider, b.degraded, composed.upgradable) == ("extractive", True, False)
    assert b.degraded_reason is not None
    assert "after one repair" in b.degraded_reason
    assert "overview" in b.degraded_reason
    assert len(server.requests) == 3
    # The TL;DRs the model wrote survive the fallback.
    assert b.tldrs[0].tldr == f"TL;DR {IDS[0]}"


async def test_invented_paper_ids_are_removed_and_counted(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    invented = [IDS[0], "arxiv:1706.03762", IDS[1], "arxiv:2606.99999"]
    server.reply(
        tldrs_reply(),
        Reply(content=briefing(invented, overview="Builds on arxiv:1810.04805 and others.")),
    )
    b = (await brief(model, metrics)).briefing

    assert (b.provider, b.degraded) == ("openai", False)
    assert b.themes[0].paper_ids == (IDS[0], IDS[1])
    assert "1810.04805" not in b.overview
    assert b.connections == ()  # it linked a real paper to an invented one only
    cited = {i for t in b.themes for i in t.paper_ids} | {n.paper_id for n in b.notable}
    assert cited <= set(IDS)
    # theme 2 + connection 1 invented ids in lists, one in the overview.
    assert sample(metrics, "citations_rejected_total", reason="outside_window") == 3
    assert sample(metrics, "citations_rejected_total", reason="in_text_outside_window") == 1
    assert sample(metrics, "citations_rejected_total", reason="uncited_connection") == 1


async def test_a_429_is_retried_after_the_wait_it_asks_for_plus_jitter(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics, sleeps: Sleeps
) -> None:
    server.reply(
        tldrs_reply(), Reply(status=429, headers={"Retry-After": "2"}), Reply(content=briefing())
    )
    b = (await brief(model, metrics)).briefing

    assert (b.provider, b.degraded) == ("openai", False)
    assert sleeps.waits == [pytest.approx(2.1)]  # at least what was asked, never less
    assert len(server.requests) == 3
    assert sample(metrics, "llm_requests_total", task="briefing", outcome="rate_limited") == 1


async def test_a_429_asking_for_too_long_a_wait_falls_back_at_once(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics, sleeps: Sleeps
) -> None:
    server.reply(Reply(status=429, headers={"Retry-After": "600"}))
    composed = await brief(model, metrics)
    b = composed.briefing

    assert b.degraded
    assert composed.upgradable
    assert b.degraded_reason is not None
    assert "asks to wait 600s" in b.degraded_reason
    assert sleeps.waits == []
    assert len(server.requests) == 1


async def test_server_errors_back_off_with_jitter_then_fall_back(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics, sleeps: Sleeps
) -> None:
    server.reply(tldrs_reply(), *(Reply(status=500) for _ in range(3)), Reply(content=briefing()))
    composed = await brief(model, metrics)
    b = composed.briefing

    assert (b.provider, b.model, b.degraded, composed.upgradable) == (
        "extractive",
        None,
        True,
        True,
    )
    assert b.degraded_reason == "model failed: server error (HTTP 500); gave up after 3 attempts"
    assert len(server.requests) == 4
    # Exponential steps of 0.25 and 0.5 s, each half fixed and half jittered (0.5 here).
    assert sleeps.waits == [0.1875, 0.375]
    assert sample(metrics, "llm_requests_total", task="briefing", outcome="server_error") == 3
    assert len(b.tldrs) == 3  # the extractive briefing is complete


async def test_a_timeout_falls_back_without_retrying(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.reply(tldrs_reply(), Reply(content=briefing(), delay=3.0))
    composed = await brief(model, metrics)
    b = composed.briefing

    assert (b.provider, b.degraded, composed.upgradable) == ("extractive", True, True)
    assert b.degraded_reason == "model failed: no answer within 0.5s"
    assert len(server.requests) == 2
    assert sample(metrics, "llm_requests_total", task="briefing", outcome="timeout") == 1


async def test_an_endpoint_without_json_schema_gets_json_object_mode(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.reply(
        Reply(status=400, error="response_format json_schema is not supported"),
        Reply(content="```json\n" + TLDRS + "\n```"),
        Reply(content=briefing()),
    )
    b = (await brief(model, metrics)).briefing

    assert not b.degraded
    assert server.response_formats() == ["json_schema", "json_object", "json_object"]
    assert model.response_format_mode == "json_object"
    # The schema still travels, in the instructions.
    assert '"tldr_zh"' in server.requests[1]["messages"][0]["content"]


async def test_a_refused_key_falls_back_and_says_why(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.reply(Reply(status=401, error="Incorrect API key provided"))
    composed = await brief(model, metrics)
    assert composed.briefing.degraded
    assert composed.upgradable  # fixed keys come back: the briefing is upgraded then
    assert composed.briefing.degraded_reason == "model failed: HTTP 401: Incorrect API key provided"
    assert len(server.requests) == 1
    assert sample(metrics, "llm_requests_total", task="tldr", outcome="client_error") == 1


async def test_a_chinese_radar_gets_chinese_text_and_tldrs(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.reply(tldrs_reply(), Reply(content=briefing(overview="本期三篇论文聚焦表面码。")))
    b = (await brief(model, metrics, "zh")).briefing

    assert (b.language, b.overview) == ("zh", "本期三篇论文聚焦表面码。")
    assert b.tldrs[0].tldr == f"要点 {IDS[0]}"
    assert "Simplified Chinese" in server.requests[1]["messages"][0]["content"]


async def test_the_breaker_stops_calling_a_failing_endpoint(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    server.responder = lambda body: Reply(status=503, error="overloaded")
    breaker = CircuitBreaker(model, failures=2, cooldown_seconds=60, observer=metrics)
    for _ in range(4):
        assert (await brief(breaker, metrics)).briefing.degraded
    # Two windows reached the endpoint (3 attempts each); the next two failed fast.
    assert len(server.requests) == 6
    assert breaker.state == "open"
    assert sample(metrics, "circuit_state") == 2
    assert sample(metrics, "circuit_opened_total") == 1


async def test_a_well_behaved_server_writes_a_staged_briefing_too(
    server: ChatServer, model: OpenAIChatModel, metrics: BrieferMetrics
) -> None:
    from academichub.briefer.domain.synthesis import SynthesisLimits
    from tests.unit.briefer.briefer_samples import paper

    server.responder = well_behaved
    window = [paper(n, categories=("quant-ph",) if n % 2 else ("cs.AI",)) for n in range(1, 13)]
    composer = make_composer(model, metrics=metrics, limits=SynthesisLimits(staged_above=5))
    b = (await composer.compose(window, radar=radar(), window=1)).briefing

    assert not b.degraded
    assert server.tasks()[-1] == "briefing_synthesis"
    assert "themes" in server.tasks()
    assert b.overview == "The model read 12 papers."
