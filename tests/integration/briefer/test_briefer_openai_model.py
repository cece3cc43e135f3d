"""The OpenAI adapter and the composer through the real ``openai`` client, against a
real HTTP server on 127.0.0.1 that behaves like an OpenAI-compatible endpoint."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator

import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.composer import compose_briefing
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.openai_model import OpenAIBriefingModel, RetryPolicy
from academichub.contracts import Briefing, Paper
from academichub.contracts.events import Language
from tests.integration.briefer.chat_server import ChatServer, Reply, serve_chat

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 6, 12, 9, 0, tzinfo=dt.UTC)
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


def answer(ids: list[str] = IDS, *, overview: str = "Three papers on surface codes.") -> str:
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
            "tldrs": [{"paper_id": i, "tldr": f"TL;DR {i}"} for i in ids],
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
) -> AsyncIterator[OpenAIBriefingModel]:
    adapter = OpenAIBriefingModel(
        base_url=server.base_url,
        model="test-model",
        api_key="sk-test",
        timeout_seconds=0.5,
        retry=RetryPolicy(max_attempts=3, backoff_seconds=0.25, max_retry_after_seconds=10),
        observer=metrics,
        sleep=sleeps,
    )
    yield adapter
    await adapter.aclose()


async def brief(
    model: OpenAIBriefingModel, metrics: BrieferMetrics, lang: Language = "en"
) -> Briefing:
    return await compose_briefing(
        papers(),
        radar_id="r1",
        window=1,
        language=lang,
        model=model,
        radar_name="Error correction",
        observer=metrics,
        clock=lambda: NOW,
    )


def count(metrics: BrieferMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(f"academichub_briefer_{name}", labels)
    return value or 0.0


async def test_a_good_answer_becomes_the_briefing(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics
) -> None:
    server.reply(Reply(content=answer()))
    b = await brief(model, metrics)

    assert (b.provider, b.model, b.degraded) == ("openai", "served-model", False)
    assert b.overview == "Three papers on surface codes."
    assert [t.paper_id for t in b.tldrs] == IDS
    (request,) = server.requests
    assert request["model"] == "test-model"
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["strict"] is True
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert "UNTRUSTED PAPER DATA" in request["messages"][1]["content"]
    assert count(metrics, "llm_requests_total", outcome="ok") == 1
    assert count(metrics, "llm_tokens_total", kind="prompt") == 120
    assert count(metrics, "llm_tokens_total", kind="completion") == 80
    assert count(metrics, "llm_request_duration_seconds_count") == 1


async def test_invalid_json_is_repaired_with_one_more_request(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics
) -> None:
    server.reply(Reply(content="Here is the briefing: {overview: oops"), Reply(content=answer()))
    b = await brief(model, metrics)

    assert (b.provider, b.degraded) == ("openai", False)
    _, repair = server.requests
    assert [m["role"] for m in repair["messages"]] == ["system", "user", "assistant", "user"]
    assert repair["messages"][2]["content"] == "Here is the briefing: {overview: oops"
    assert "not valid JSON" in repair["messages"][3]["content"]
    assert count(metrics, "llm_requests_total", outcome="invalid_output") == 1
    assert count(metrics, "llm_requests_total", outcome="ok") == 1


async def test_still_invalid_after_the_repair_falls_back(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics
) -> None:
    server.reply(Reply(content="no"), Reply(content='{"themes": []}'))
    b = await brief(model, metrics)

    assert (b.provider, b.degraded) == ("extractive", True)
    assert b.degraded_reason is not None
    assert "after one repair" in b.degraded_reason
    assert "overview" in b.degraded_reason
    assert len(server.requests) == 2


async def test_invented_paper_ids_are_removed_and_counted(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics
) -> None:
    invented = [IDS[0], "arxiv:1706.03762", IDS[1], "arxiv:2606.99999"]
    server.reply(Reply(content=answer(invented, overview="Builds on arxiv:1810.04805 and others.")))
    b = await brief(model, metrics)

    assert (b.provider, b.degraded) == ("openai", False)
    assert b.themes[0].paper_ids == (IDS[0], IDS[1])
    assert {t.paper_id for t in b.tldrs} == {IDS[0], IDS[1]}
    assert "1810.04805" not in b.overview
    assert b.connections == ()  # it linked a real paper to an invented one only
    # theme 2 + connection 1 + tldrs 2 invented ids in lists, one in the overview.
    assert count(metrics, "citations_rejected_total", reason="outside_window") == 5
    assert count(metrics, "citations_rejected_total", reason="in_text_outside_window") == 1
    assert count(metrics, "claims_dropped_total", kind="tldr") == 2
    assert count(metrics, "claims_dropped_total", kind="connection") == 1


async def test_a_429_is_retried_after_the_wait_it_asks_for(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics, sleeps: Sleeps
) -> None:
    server.reply(Reply(status=429, headers={"Retry-After": "2"}), Reply(content=answer()))
    b = await brief(model, metrics)

    assert (b.provider, b.degraded) == ("openai", False)
    assert sleeps.waits == [2.0]
    assert len(server.requests) == 2
    assert count(metrics, "llm_requests_total", outcome="rate_limited") == 1
    assert count(metrics, "llm_requests_total", outcome="ok") == 1


async def test_a_429_asking_for_too_long_a_wait_falls_back_at_once(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics, sleeps: Sleeps
) -> None:
    server.reply(Reply(status=429, headers={"Retry-After": "600"}))
    b = await brief(model, metrics)

    assert b.degraded
    assert b.degraded_reason is not None
    assert "asks to wait 600s" in b.degraded_reason
    assert sleeps.waits == []
    assert len(server.requests) == 1


async def test_server_errors_until_the_bound_fall_back_to_extractive(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics, sleeps: Sleeps
) -> None:
    server.reply(*(Reply(status=500) for _ in range(3)), Reply(content=answer()))
    b = await brief(model, metrics)

    assert (b.provider, b.model, b.degraded) == ("extractive", None, True)
    assert b.degraded_reason == "model failed: server error (HTTP 500); gave up after 3 attempts"
    assert len(server.requests) == 3
    assert sleeps.waits == [0.25, 0.5]
    assert count(metrics, "llm_requests_total", outcome="server_error") == 3
    assert len(b.tldrs) == 3  # the extractive briefing is complete


async def test_a_timeout_falls_back_without_retrying(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics
) -> None:
    server.reply(Reply(content=answer(), delay=3.0))
    b = await brief(model, metrics)

    assert (b.provider, b.degraded) == ("extractive", True)
    assert b.degraded_reason == "model failed: no answer within 0.5s"
    assert len(server.requests) == 1
    assert count(metrics, "llm_requests_total", outcome="timeout") == 1


async def test_an_endpoint_without_json_schema_gets_json_object_mode(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics
) -> None:
    server.reply(
        Reply(status=400, error="response_format json_schema is not supported"),
        Reply(content="```json\n" + answer() + "\n```"),
        Reply(content=answer()),
    )
    first = await brief(model, metrics)
    second = await brief(model, metrics)

    assert not first.degraded
    assert not second.degraded
    assert server.response_formats() == ["json_schema", "json_object", "json_object"]
    assert model.response_format_mode == "json_object"


async def test_a_refused_key_falls_back_and_says_why(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics
) -> None:
    server.reply(Reply(status=401, error="Incorrect API key provided"))
    b = await brief(model, metrics)

    assert b.degraded
    assert b.degraded_reason == "model failed: HTTP 401: Incorrect API key provided"
    assert len(server.requests) == 1
    assert count(metrics, "llm_requests_total", outcome="client_error") == 1


async def test_a_chinese_radar_asks_for_chinese(
    server: ChatServer, model: OpenAIBriefingModel, metrics: BrieferMetrics
) -> None:
    server.reply(Reply(content=answer(overview="本期三篇论文聚焦表面码。")))
    b = await brief(model, metrics, "zh")

    assert (b.language, b.overview) == ("zh", "本期三篇论文聚焦表面码。")
    assert "Simplified Chinese" in server.requests[0]["messages"][0]["content"]
