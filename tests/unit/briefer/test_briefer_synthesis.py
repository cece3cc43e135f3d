"""Large windows: staged summarisation inside a per-briefing token budget."""

from prometheus_client import CollectorRegistry

from academichub.briefer.domain.extractive import plan_window
from academichub.briefer.domain.model import (
    ChatRequest,
    ModelOutputInvalid,
    Reply,
    ScriptedChatModel,
)
from academichub.briefer.domain.structured import request_estimate
from academichub.briefer.domain.synthesis import SynthesisLimits, plan
from academichub.briefer.metrics import BrieferMetrics
from academichub.contracts import Paper
from tests.unit.briefer.briefer_samples import (
    data_of,
    make_composer,
    paper,
    pid,
    radar,
    sample,
    well_behaved,
)

TOPICS = [
    ("quant-ph", "surface code decoders", "lattice surgery thresholds"),
    ("cs.LG", "graph neural networks", "message passing layers"),
    ("q-bio.GN", "DNA storage channels", "synthesis error models"),
    ("cond-mat.str-el", "Kitaev spin liquids", "Majorana edge modes"),
]


def window(n: int) -> list[Paper]:
    """``n`` papers spread over four fields and topics."""
    papers = []
    for i in range(1, n + 1):
        category, topic, detail = TOPICS[i % len(TOPICS)]
        papers.append(
            paper(
                i,
                title=f"{topic.capitalize()} study {i}",
                abstract=(
                    f"Background on {topic}. We show that {topic} with {detail} improve "
                    f"the benchmark by {i} percent. We release code for {detail}."
                ),
                categories=(category,),
            )
        )
    return papers


def tldrs(papers: list[Paper]) -> dict[str, str]:
    return {p.id: f"TL;DR {p.id}" for p in papers}


def test_a_small_window_is_briefed_in_one_request() -> None:
    papers = window(5)
    planned = plan(papers, radar=radar(), tldrs=tldrs(papers), limits=SynthesisLimits())
    assert planned is not None
    assert (planned.mode, len(planned.included), planned.omitted) == ("direct", 5, ())
    assert planned.direct is not None
    assert planned.estimate == request_estimate(planned.direct)


def test_above_the_threshold_the_window_is_briefed_in_stages() -> None:
    papers = window(40)
    planned = plan(
        papers, radar=radar(), tldrs=tldrs(papers), limits=SynthesisLimits(staged_above=25)
    )
    assert planned is not None
    assert (planned.mode, len(planned.included), planned.omitted) == ("staged", 40, ())
    assert 1 < len(planned.groups) <= 8
    grouped = sorted(i for g in planned.groups for i in g.paper_ids)
    assert grouped == sorted(p.id for p in papers)


def test_papers_that_do_not_fit_the_budget_are_listed_best_first_kept() -> None:
    papers = window(120)
    limits = SynthesisLimits(staged_above=25, briefing_tokens=20_000)
    planned = plan(papers, radar=radar(), tldrs=tldrs(papers), limits=limits)
    assert planned is not None
    assert planned.mode == "staged"
    assert planned.estimate <= 20_000
    kept = len(planned.included)
    assert 10 < kept < 120
    assert [p.id for p in planned.included] == [p.id for p in papers[:kept]]
    assert planned.omitted == tuple(p.id for p in papers[kept:])
    # One more paper would not have fitted: the cut is as late as the budget allows
    # (with the same outline, the window's).
    more = plan(
        papers[: kept + 1],
        radar=radar(),
        tldrs=tldrs(papers),
        limits=SynthesisLimits(staged_above=25, briefing_tokens=10**9),
        outline=plan_window(papers),
    )
    assert more is not None
    assert more.estimate > 20_000


async def test_a_staged_briefing_writes_the_themes_in_few_requests_then_the_synthesis() -> None:
    papers = window(60)
    metrics = BrieferMetrics(CollectorRegistry())
    limits = SynthesisLimits(staged_above=25, briefing_tokens=15_000)
    model = ScriptedChatModel(repeat=well_behaved, usage=(900, 300))
    composed = await make_composer(model, metrics=metrics, limits=limits).compose(
        papers, radar=radar(), window=1
    )
    b = composed.briefing
    assert not b.degraded
    themes = model.of_task("theme")
    (final,) = model.of_task("briefing")
    assert final.schema_name == "briefing_synthesis"
    # Several themes a request: fewer calls than themes.
    assert 1 <= len(themes) < len(b.themes)
    assert len(themes) == -(-len(b.themes) // SynthesisLimits().themes_per_request)
    # Themes are written from TL;DRs, not abstracts, from the outline's groups.
    written = [t for request in themes for t in data_of(request)["plan"]["themes"]]
    assert [t["paper_ids"] for t in written] == [list(t.paper_ids) for t in b.themes]
    for request in themes:
        data = data_of(request)
        assert all("abstract" not in p and "tldr" in p for p in data["papers"])
        assert all(k for t in data["plan"]["themes"] for k in t["keyphrases"])
    # The synthesis sees the themes the model wrote, and the candidate connections.
    assert [t["title"] for t in data_of(final)["themes"]] == [t.title for t in b.themes]
    assert "candidate_connections" in data_of(final)
    included = len(b.paper_ids)
    assert 10 < included < 60  # the budget held some back, and said so
    assert included + len(b.omitted_paper_ids) == 60
    assert set(b.omitted_paper_ids).isdisjoint(b.paper_ids)
    assert b.paper_ids == tuple(p.id for p in papers[:included])  # the best matches
    assert [t.paper_id for t in b.tldrs] == list(b.paper_ids)
    spent = sum(
        sample(metrics, "llm_tokens_total", model="scripted-model", task=task, kind=kind)
        for task in ("theme", "briefing")
        for kind in ("prompt", "completion")
    )
    assert spent <= 15_000
    assert sample(metrics, "syntheses_total", mode="staged") == 1
    assert sample(metrics, "omitted_papers_total") == len(b.omitted_paper_ids)


async def test_a_theme_the_model_cannot_write_keeps_its_extractive_version() -> None:
    papers = window(30)

    def answer(request: ChatRequest) -> Reply:
        if request.task == "theme" and pid(4) in request.paper_ids:
            return ModelOutputInvalid("invalid answer after one repair")
        return well_behaved(request)

    model = ScriptedChatModel(repeat=answer)
    limits = SynthesisLimits(staged_above=10, themes_per_request=1)
    composed = await make_composer(model, limits=limits).compose(papers, radar=radar(), window=1)
    b = composed.briefing
    assert not b.degraded
    kept = [t for t in b.themes if pid(4) in t.paper_ids]
    assert len(kept) == 1
    assert not kept[0].title.startswith("Theme of")  # the extractive title
    assert all(t.title.startswith("Theme of") for t in b.themes if t is not kept[0])


def test_a_direct_request_carries_the_extractive_plan_for_the_model_to_refine() -> None:
    papers = window(8)
    planned = plan(papers, radar=radar(), tldrs=tldrs(papers), limits=SynthesisLimits())
    assert planned is not None
    assert planned.direct is not None
    data = data_of(planned.direct)
    themes = data["plan"]["themes"]
    assert themes
    assert all(t["paper_ids"] and t["title"] for t in themes)
    assert sorted(i for t in themes for i in t["paper_ids"]) == sorted(p.id for p in papers)
    assert "candidate_connections" in data["plan"]
    system = planned.direct.messages[0]["content"]
    assert "starting point, not an instruction" in system


async def test_a_model_that_refines_the_plan_is_still_held_to_the_window() -> None:
    papers = window(6)

    def answer(request: ChatRequest) -> Reply:
        if request.task == "tldr":
            return well_behaved(request)
        ids = list(request.paper_ids)
        return {
            "overview": "See arxiv:2101.99999 and the rest.",
            "themes": [{"title": "T (arxiv:2101.99999)", "synthesis": "S", "paper_ids": ids}],
            "connections": [
                {
                    "finding": "Linked, unlike arxiv:2101.99999.",
                    "fields": ["quant-ph", "arxiv:2101.99999"],
                    "paper_ids": [ids[0], ids[1], "arxiv:2101.99999"],
                }
            ],
            "notable": [{"paper_id": ids[0], "reason": "Better than arxiv:2101.99999."}],
        }

    composed = await make_composer(ScriptedChatModel(repeat=answer)).compose(
        papers, radar=radar(), window=1
    )
    b = composed.briefing
    assert not b.degraded
    text = " ".join(
        [b.overview, *(t.title for t in b.themes), *(c.finding for c in b.connections)]
        + [f for c in b.connections for f in c.fields]
        + [n.reason for n in b.notable]
    )
    assert "2101.99999" not in text
    assert all(i in b.paper_ids for c in b.connections for i in c.paper_ids)
