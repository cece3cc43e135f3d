import datetime as dt
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.domain.budget import DailyLimits
from academichub.briefer.domain.composer import Composed, Composer
from academichub.briefer.domain.model import (
    ModelError,
    ModelOutputInvalid,
    ModelRejected,
    ModelUnavailable,
    ScriptedChatModel,
)
from academichub.briefer.domain.synthesis import SynthesisLimits
from academichub.briefer.metrics import BrieferMetrics
from academichub.store.memory import InMemoryStore
from tests.unit.briefer.briefer_samples import (
    T0,
    briefing_answer,
    make_composer,
    paper,
    pid,
    radar,
    sample,
    summaries_answer,
    well_behaved,
)

IDS = [pid(1), pid(2), pid(3)]


@pytest.fixture
def metrics() -> BrieferMetrics:
    return BrieferMetrics(CollectorRegistry())


async def compose(composer: Composer, *, language: str = "en", **kw: Any) -> Composed:
    return await composer.compose(
        [paper(1), paper(2), paper(3)], radar=radar(language=language), window=4, **kw
    )


async def test_without_a_model_the_briefing_is_extractive_and_not_degraded(
    metrics: BrieferMetrics,
) -> None:
    composed = await compose(make_composer(None, metrics=metrics))
    b = composed.briefing
    assert (b.provider, b.model, b.degraded, composed.fallback) == (
        "extractive",
        None,
        False,
        None,
    )
    assert b.id == "r1.w4"
    assert b.paper_ids == tuple(IDS)
    assert b.window_opened_at == b.window_closed_at == b.created_at == T0


async def test_a_good_answer_is_used_with_cached_tldrs_in_the_radar_language(
    metrics: BrieferMetrics,
) -> None:
    model = ScriptedChatModel(
        [summaries_answer(IDS), briefing_answer(IDS, extra_ids=["arxiv:1706.03762"])]
    )
    composed = await compose(make_composer(model, metrics=metrics), language="zh")
    b = composed.briefing
    assert (b.provider, b.model, b.degraded) == ("openai", "scripted-model", False)
    assert b.themes[0].paper_ids == tuple(IDS)
    assert [t.tldr for t in b.tldrs] == [f"{i} 的要点。" for i in IDS]
    assert sample(metrics, "citations_rejected_total", reason="outside_window") == 1
    tldr, brief = model.requests
    assert (tldr.task, brief.task) == ("tldr", "briefing")
    assert brief.paper_ids == tuple(IDS)
    assert brief.language == "zh"
    assert "Simplified Chinese" in brief.messages[0]["content"]


@pytest.mark.parametrize(
    ("failure", "fallback"),
    [
        (ModelUnavailable("server error (HTTP 500); gave up after 3 attempts"), "model_down"),
        (ModelRejected("HTTP 401: bad key"), "model_down"),
        (ModelOutputInvalid("invalid answer after one repair"), "model_output"),
    ],
)
async def test_a_failing_model_falls_back_to_a_degraded_extractive_briefing(
    failure: ModelError, fallback: str, metrics: BrieferMetrics
) -> None:
    model = ScriptedChatModel([summaries_answer(IDS), failure])
    composed = await compose(make_composer(model, metrics=metrics))
    b = composed.briefing
    assert (b.provider, b.model, b.degraded) == ("extractive", None, True)
    assert b.degraded_reason == f"model failed: {failure.reason}"
    assert composed.fallback == fallback
    assert composed.upgradable is (fallback == "model_down")
    # The TL;DRs the model already wrote are kept in the extractive briefing.
    assert [t.tldr for t in b.tldrs] == [f"TL;DR of {i}." for i in IDS]


async def test_an_unavailable_model_at_the_tldr_step_degrades_at_once() -> None:
    model = ScriptedChatModel([ModelUnavailable("no answer within 60s")])
    composed = await compose(make_composer(model))
    assert composed.upgradable
    assert composed.briefing.degraded_reason == "model failed: no answer within 60s"
    assert len(model.requests) == 1  # no briefing request after the TL;DRs failed


async def test_unusable_tldrs_do_not_stop_the_briefing(metrics: BrieferMetrics) -> None:
    model = ScriptedChatModel(["nope", "still nope", briefing_answer(IDS)])
    composed = await compose(make_composer(model, metrics=metrics))
    b = composed.briefing
    assert not b.degraded
    assert len(b.tldrs) == 3  # extractive ones, for want of model ones
    assert sample(metrics, "llm_invalid_replies_total", task="tldr") == 2


async def test_a_draft_that_cites_nothing_in_the_window_is_not_used(
    metrics: BrieferMetrics,
) -> None:
    invented = {
        "overview": "All about arxiv:1706.03762.",
        "themes": [{"title": "T", "synthesis": "S", "paper_ids": ["arxiv:1706.03762"]}],
        "connections": [],
        "notable": [{"paper_id": "arxiv:1810.04805", "reason": "BERT."}],
    }
    model = ScriptedChatModel([summaries_answer(IDS), invented])
    composed = await compose(make_composer(model, metrics=metrics))
    b = composed.briefing
    assert (b.provider, b.degraded, composed.fallback) == ("extractive", True, "model_output")
    assert b.degraded_reason == "model draft cited no paper of the window"
    assert sample(metrics, "claims_dropped_total", kind="theme") == 1
    assert sample(metrics, "claims_dropped_total", kind="notable") == 1
    assert sample(metrics, "citations_rejected_total", reason="outside_window") == 2
    # Dropped claims count as rejected citations too, as the issue asks.
    assert sample(metrics, "citations_rejected_total", reason="uncited_theme") == 1
    assert sample(metrics, "citations_rejected_total", reason="in_text_outside_window") == 1


async def test_the_radar_language_reaches_the_extractive_overview() -> None:
    model = ScriptedChatModel(repeat=ModelUnavailable("down"))
    zh = (await compose(make_composer(model), language="zh")).briefing
    assert zh.language == "zh"
    assert zh.overview.startswith("本期共 3 篇论文")
    en = (await compose(make_composer(None))).briefing
    assert en.overview.startswith("3 papers across")


async def test_a_bug_in_the_model_is_not_hidden_by_the_fallback() -> None:
    model = ScriptedChatModel()  # no scripted answer: LookupError, not a ModelError
    with pytest.raises(LookupError):
        await compose(make_composer(model))


async def test_duplicate_papers_appear_once_and_omitted_ones_are_listed() -> None:
    composed = await make_composer(None).compose(
        [paper(1), paper(2), paper(1)],
        radar=radar(),
        window=1,
        omitted_paper_ids=[pid(9), pid(1)],
    )
    assert composed.briefing.paper_ids == (pid(1), pid(2))
    assert composed.briefing.omitted_paper_ids == (pid(9),)


async def test_tokens_are_counted_per_model_task_and_kind(metrics: BrieferMetrics) -> None:
    model = ScriptedChatModel(repeat=well_behaved, usage=(300, 40))
    await compose(make_composer(model, metrics=metrics))
    for task in ("tldr", "briefing"):
        labels = {"model": "scripted-model", "task": task}
        assert sample(metrics, "llm_tokens_total", kind="prompt", **labels) == 300
        assert sample(metrics, "llm_tokens_total", kind="completion", **labels) == 40


# --- daily budgets --------------------------------------------------------------------


async def test_a_spent_radar_budget_falls_back_and_says_why(metrics: BrieferMetrics) -> None:
    store = InMemoryStore()
    # A briefing request is planned at about 4,100 tokens (prompt and answer cap).
    model = ScriptedChatModel(repeat=well_behaved, usage=(3000, 1000))
    composer = make_composer(
        model, store=store, metrics=metrics, daily=DailyLimits(per_radar=6000, per_user=10**6)
    )
    first = (await compose(composer)).briefing
    assert not first.degraded  # 4000 tokens for the briefing request (TL;DRs are shared)
    assert store.briefer.token_usage(T0.date(), ["radar:r1", "user:alice"]) == {
        "radar:r1": 4000,
        "user:alice": 4000,
    }

    second = await composer.compose([paper(4)], radar=radar(), window=5)
    b = second.briefing
    assert (b.provider, b.degraded, second.fallback) == ("extractive", True, "budget")
    assert b.degraded_reason is not None
    assert "daily token budget of this radar has 2000 of 6000 tokens left" in b.degraded_reason
    assert "needs about" in b.degraded_reason
    assert sample(metrics, "budget_fallbacks_total", scope="radar") == 1


async def test_a_users_budget_covers_all_their_radars(metrics: BrieferMetrics) -> None:
    model = ScriptedChatModel(repeat=well_behaved, usage=(4000, 1000))
    composer = make_composer(
        model, metrics=metrics, daily=DailyLimits(per_radar=10**6, per_user=5000)
    )
    await composer.compose([paper(1)], radar=radar("r1"), window=1)
    calls = len(model.requests)
    other = await composer.compose([paper(2)], radar=radar("r2"), window=1)
    assert other.briefing.degraded
    assert other.briefing.degraded_reason is not None
    assert other.briefing.degraded_reason.startswith(
        "daily token budget of the radar's owner is used up"
    )
    assert len(model.requests) == calls  # not even a TL;DR request
    assert sample(metrics, "budget_fallbacks_total", scope="user") == 1
    # Another owner is not affected.
    fine = await composer.compose([paper(2)], radar=radar("r3", owner="bob"), window=1)
    assert not fine.briefing.degraded


async def test_the_budget_resets_the_next_utc_day() -> None:
    now = [T0]
    model = ScriptedChatModel(repeat=well_behaved, usage=(4000, 1000))
    composer = make_composer(
        model, daily=DailyLimits(per_radar=5000, per_user=10**6), clock=lambda: now[0]
    )
    assert not (await compose(composer)).briefing.degraded
    assert (await compose(composer)).briefing.degraded
    now[0] = T0.replace(hour=0) + dt.timedelta(days=1)
    assert not (await compose(composer)).briefing.degraded


async def test_a_briefing_budget_too_small_for_one_paper_says_so(
    metrics: BrieferMetrics,
) -> None:
    model = ScriptedChatModel(repeat=well_behaved)
    composer = make_composer(model, metrics=metrics, limits=SynthesisLimits(briefing_tokens=500))
    composed = await compose(composer)
    assert composed.fallback == "budget"
    assert composed.briefing.degraded_reason == (
        "the per-briefing token budget (500 tokens) cannot fit even one paper"
    )
    assert [r.task for r in model.requests] == ["tldr"]
