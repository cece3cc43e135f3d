import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.domain.draft import SUMMARIES_SCHEMA, SummariesDraft
from academichub.briefer.domain.model import (
    ChatAnswer,
    ChatRequest,
    ModelOutputInvalid,
    ScriptedChatModel,
)
from academichub.briefer.domain.structured import ask, request_estimate
from academichub.briefer.domain.tokens import BudgetExhausted, TokenMeter, estimate_tokens
from academichub.briefer.metrics import BrieferMetrics
from tests.unit.briefer.briefer_samples import sample, summaries_answer

REQUEST = ChatRequest(
    task="tldr",
    messages=({"role": "system", "content": "rules"}, {"role": "user", "content": "data"}),
    schema_name="paper_summaries",
    schema=SUMMARIES_SCHEMA,
    max_output_tokens=200,
    paper_ids=("arxiv:2606.00001",),
)
GOOD = summaries_answer(["arxiv:2606.00001"])


@pytest.fixture
def metrics() -> BrieferMetrics:
    return BrieferMetrics(CollectorRegistry())


async def test_a_valid_answer_is_parsed_and_its_tokens_counted(metrics: BrieferMetrics) -> None:
    model = ScriptedChatModel([GOOD], usage=(70, 30))
    answered = await ask(model, REQUEST, SummariesDraft, observer=metrics)
    assert answered.value.summaries[0].paper_id == "arxiv:2606.00001"
    assert (answered.usage.total, answered.repaired) == (100, False)
    labels = {"model": "scripted-model", "task": "tldr"}
    assert sample(metrics, "llm_tokens_total", kind="prompt", **labels) == 70


async def test_an_invalid_answer_gets_one_repair_with_the_error(metrics: BrieferMetrics) -> None:
    model = ScriptedChatModel(['{"summaries": "none"}', GOOD])
    answered = await ask(model, REQUEST, SummariesDraft, observer=metrics)
    assert answered.repaired
    repair = model.requests[1].messages
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert "does not follow the schema" in repair[3]["content"]
    assert sample(metrics, "llm_invalid_replies_total", task="tldr") == 1


async def test_a_second_invalid_answer_is_a_model_output_error() -> None:
    model = ScriptedChatModel(["nope", "{}"])
    with pytest.raises(ModelOutputInvalid, match=r"after one repair.*summaries"):
        await ask(model, REQUEST, SummariesDraft)
    assert len(model.requests) == 2


async def test_a_meter_refuses_a_call_that_would_not_fit() -> None:
    model = ScriptedChatModel([GOOD])
    meter = TokenMeter(limit=request_estimate(REQUEST) - 1)
    with pytest.raises(BudgetExhausted, match="needs about"):
        await ask(model, REQUEST, SummariesDraft, meter=meter)
    assert model.requests == []


async def test_without_reported_usage_tokens_are_estimated() -> None:
    class Silent(ScriptedChatModel):
        async def complete(self, request: ChatRequest) -> ChatAnswer:
            answer = await super().complete(request)
            return ChatAnswer(answer.content, answer.model)

    meter = TokenMeter(limit=10_000)
    await ask(Silent([GOOD]), REQUEST, SummariesDraft, meter=meter)
    assert meter.spent.prompt > 0
    assert meter.spent.completion > 0


def test_estimates_count_chinese_characters_as_tokens() -> None:
    assert estimate_tokens("abcd" * 100) == pytest.approx(115, abs=2)
    assert estimate_tokens("量子纠错" * 25) >= 100
