import pytest
from prometheus_client import CollectorRegistry

from academichub.briefer.composer import compose_briefing
from academichub.briefer.draft import BriefingDraft
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.model import (
    ModelError,
    ModelOutputInvalid,
    ModelRejected,
    ModelUnavailable,
    ScriptedBriefingModel,
)
from academichub.contracts import Briefing
from tests.unit.briefer.briefer_samples import T0, good_draft, paper, pid


@pytest.fixture
def metrics() -> BrieferMetrics:
    return BrieferMetrics(CollectorRegistry())


def sample(m: BrieferMetrics, name: str, **labels: str) -> float:
    return m.registry.get_sample_value(f"academichub_briefer_{name}", labels) or 0.0


async def compose(
    model: ScriptedBriefingModel | None, metrics: BrieferMetrics, **kw: object
) -> Briefing:
    papers = [paper(1), paper(2), paper(3)]
    return await compose_briefing(
        papers,
        radar_id="r1",
        window=4,
        model=model,
        observer=metrics,
        clock=lambda: T0,
        **{"language": "en", **kw},  # type: ignore[arg-type]
    )


async def test_without_a_model_the_briefing_is_extractive_and_not_degraded(
    metrics: BrieferMetrics,
) -> None:
    b = await compose(None, metrics)
    assert (b.provider, b.model, b.degraded) == ("extractive", None, False)
    assert b.id == "r1.w4"
    assert b.paper_ids == (pid(1), pid(2), pid(3))
    assert b.window_opened_at == b.window_closed_at == b.created_at == T0


async def test_a_good_draft_is_used_and_outside_citations_are_counted(
    metrics: BrieferMetrics,
) -> None:
    ids = [pid(1), pid(2), pid(3)]
    model = ScriptedBriefingModel([good_draft(ids, extra_ids=("arxiv:1706.03762",))])
    b = await compose(model, metrics, radar_name="Codes", radar_query="surface code")
    assert (b.provider, b.model, b.degraded) == ("openai", "scripted-model", False)
    assert b.themes[0].paper_ids == tuple(ids)
    assert sample(metrics, "citations_rejected_total", reason="outside_window") == 1
    (request,) = model.requests
    assert [p.id for p in request.papers] == ids
    assert (request.radar_name, request.radar_query, request.language) == (
        "Codes",
        "surface code",
        "en",
    )


@pytest.mark.parametrize(
    "failure",
    [
        ModelUnavailable("server error (HTTP 500); gave up after 3 attempts"),
        ModelRejected("HTTP 401: bad key"),
        ModelOutputInvalid("invalid answer after one repair"),
    ],
)
async def test_a_failing_model_falls_back_to_a_degraded_extractive_briefing(
    failure: ModelError, metrics: BrieferMetrics
) -> None:
    b = await compose(ScriptedBriefingModel([failure]), metrics)
    assert (b.provider, b.model, b.degraded) == ("extractive", None, True)
    assert b.degraded_reason == f"model failed: {failure.reason}"
    assert len(b.tldrs) == 3


async def test_a_draft_that_cites_nothing_in_the_window_is_not_used(
    metrics: BrieferMetrics,
) -> None:
    invented = BriefingDraft.model_validate(
        {
            "overview": "All about arxiv:1706.03762.",
            "themes": [{"title": "T", "synthesis": "S", "paper_ids": ["arxiv:1706.03762"]}],
            "tldrs": [{"paper_id": "arxiv:1810.04805", "tldr": "BERT."}],
        }
    )
    b = await compose(ScriptedBriefingModel([invented]), metrics)
    assert b.provider == "extractive"
    assert b.degraded
    assert b.degraded_reason == "model draft cited no paper of the window"
    assert sample(metrics, "claims_dropped_total", kind="theme") == 1
    assert sample(metrics, "claims_dropped_total", kind="tldr") == 1
    assert sample(metrics, "citations_rejected_total", reason="outside_window") == 2


async def test_the_radar_language_reaches_the_model_and_the_extractive_overview(
    metrics: BrieferMetrics,
) -> None:
    model = ScriptedBriefingModel([ModelUnavailable("down")])
    zh = await compose(model, metrics, language="zh")
    assert model.requests[0].language == "zh"
    assert zh.language == "zh"
    assert zh.overview.startswith("本期共 3 篇论文")
    en = await compose(None, metrics, language="en")
    assert en.overview.startswith("3 papers across")


async def test_a_bug_in_the_model_is_not_hidden_by_the_fallback(metrics: BrieferMetrics) -> None:
    model = ScriptedBriefingModel()  # no scripted answer: LookupError, not a ModelError
    with pytest.raises(LookupError):
        await compose(model, metrics)


async def test_duplicate_papers_appear_once_and_omitted_ones_are_listed(
    metrics: BrieferMetrics,
) -> None:
    b = await compose_briefing(
        [paper(1), paper(2), paper(1)],
        radar_id="r1",
        window=1,
        language="en",
        model=None,
        omitted_paper_ids=[pid(9), pid(1)],
        clock=lambda: T0,
    )
    assert b.paper_ids == (pid(1), pid(2))
    assert b.omitted_paper_ids == (pid(9),)
