"""Per-paper TL;DRs: one model call per paper version, however many radars need it."""

import asyncio
import datetime as dt

from prometheus_client import CollectorRegistry

from academichub.briefer.domain.model import ModelUnavailable, ScriptedChatModel
from academichub.briefer.domain.policy import WindowPolicy
from academichub.briefer.domain.summaries import SummaryCache
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.service import BrieferService
from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import BriefingSchedule, TopicName
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import PaperSummary
from tests.unit.briefer.briefer_samples import (
    T0,
    data_of,
    make_composer,
    match,
    paper,
    pid,
    radar,
    sample,
    well_behaved,
)

RADARS = 1000


async def test_one_paper_matched_by_1000_radars_costs_one_summary_call() -> None:
    store = InMemoryStore()
    store.papers.upsert_papers([paper(1)])
    every_paper = BriefingSchedule(kind="every_n", n=1)
    for r in range(RADARS):
        store.radars.put_radar(radar(f"r{r}", owner=f"user{r % 50}", schedule=every_paper))
    metrics = BrieferMetrics(CollectorRegistry())
    model = ScriptedChatModel(repeat=well_behaved)
    publisher = RecordingPublisher()
    service = BrieferService(
        store=AsyncStore.inline(store),
        publisher=publisher,
        composer=make_composer(model, store=store, metrics=metrics),
        policy=WindowPolicy(max_papers=20, max_age=dt.timedelta(days=1)),
        metrics=metrics,
        clock=lambda: T0,
    )
    await service.handle_matches([match(1, radar_id=f"r{r}") for r in range(RADARS)])

    published = await service.close_due_windows()

    assert len(published) == RADARS
    assert len(model.of_task("tldr")) == 1
    assert len(model.of_task("briefing")) == RADARS  # each radar's own synthesis
    assert {b.tldrs[0].tldr for b in published} == {f"TL;DR of {pid(1)}."}
    assert sample(metrics, "summary_cache_total", result="miss") == 1
    assert sample(metrics, "summary_cache_total", result="hit") == RADARS - 1
    assert len(publisher.on(TopicName.BRIEFINGS)) == RADARS


async def test_radars_briefed_at_the_same_moment_share_the_one_request_in_flight() -> None:
    store = InMemoryStore()
    metrics = BrieferMetrics(CollectorRegistry())
    gate = asyncio.Event()
    model = ScriptedChatModel(repeat=well_behaved, gate=gate)
    composer = make_composer(model, store=store, metrics=metrics)
    briefings = [
        asyncio.create_task(composer.compose([paper(1), paper(2)], radar=radar(f"r{r}"), window=1))
        for r in range(50)
    ]
    # Let every briefing start and reach the model (or the request already asking it).
    for _ in range(20):
        await asyncio.sleep(0)
    assert len(model.requests) == 1
    gate.set()
    done = await asyncio.gather(*briefings)

    assert len(model.of_task("tldr")) == 1
    assert all(not c.briefing.degraded for c in done)
    assert sample(metrics, "summary_cache_total", result="miss") == 2
    assert sample(metrics, "summary_cache_total", result="joined") == 2 * 49


async def test_each_version_of_a_paper_is_summarised_once() -> None:
    store = InMemoryStore()
    model = ScriptedChatModel(repeat=well_behaved)
    composer = make_composer(model, store=store)
    await composer.compose([paper(1)], radar=radar("a"), window=1)
    await composer.compose([paper(1)], radar=radar("b"), window=1)
    assert len(model.of_task("tldr")) == 1
    await composer.compose([paper(1, version=2)], radar=radar("c"), window=1)
    assert len(model.of_task("tldr")) == 2
    assert set(store.briefer.summaries) == {(pid(1), 1), (pid(1), 2)}


async def test_missing_papers_are_asked_for_in_batches_and_stored_in_both_languages() -> None:
    store = InMemoryStore()
    store.briefer.put_summaries(
        [PaperSummary(pid(1), 1, "Cached en.", "缓存的中文。", "earlier-model", T0)]
    )
    model = ScriptedChatModel(repeat=well_behaved)
    cache = SummaryCache(
        AsyncStore.inline(store.briefer),
        model,
        observer=BrieferMetrics(CollectorRegistry()),
        batch_size=3,
        clock=lambda: T0,
    )
    lookup = await cache.summarise([paper(n) for n in range(1, 9)])

    batches = [r.paper_ids for r in model.of_task("tldr")]
    assert sorted(len(b) for b in batches) == [1, 3, 3]
    assert sorted(i for b in batches for i in b) == [pid(n) for n in range(2, 9)]
    assert [p["id"] for p in data_of(model.requests[0])["papers"]] == list(batches[0])
    assert lookup.failure is None
    assert lookup.summaries[(pid(1), 1)].tldr_zh == "缓存的中文。"
    stored = store.briefer.summaries[(pid(5), 1)]
    assert (stored.tldr_en, stored.tldr_zh, stored.model) == (
        f"TL;DR of {pid(5)}.",
        f"{pid(5)} 的要点。",
        "scripted-model",
    )


async def test_tldrs_mention_no_other_paper_and_unknown_entries_are_dropped() -> None:
    store = InMemoryStore()
    metrics = BrieferMetrics(CollectorRegistry())
    answer = {
        "summaries": [
            {
                "paper_id": pid(1),
                "tldr_en": "Improves on arxiv:1706.03762 by a lot.",
                "tldr_zh": "比 arxiv:1706.03762 更好。",
            },
            {"paper_id": "arxiv:9999.99999", "tldr_en": "Invented.", "tldr_zh": "编造。"},
        ]
    }
    cache = SummaryCache(
        AsyncStore.inline(store.briefer), ScriptedChatModel([answer]), observer=metrics
    )
    lookup = await cache.summarise([paper(1), paper(2)])
    summary = lookup.summaries[(pid(1), 1)]
    assert "1706.03762" not in summary.tldr_en + summary.tldr_zh
    assert (pid(2), 1) not in lookup.summaries  # not answered: asked again next time
    assert sample(metrics, "citations_rejected_total", reason="in_text_outside_window") == 2
    assert sample(metrics, "citations_rejected_total", reason="outside_window") == 1


async def test_an_unavailable_model_is_reported_and_nothing_is_stored() -> None:
    store = InMemoryStore()
    cache = SummaryCache(
        AsyncStore.inline(store.briefer),
        ScriptedChatModel(repeat=ModelUnavailable("down")),
        observer=BrieferMetrics(CollectorRegistry()),
    )
    lookup = await cache.summarise([paper(1)])
    assert isinstance(lookup.failure, ModelUnavailable)
    assert lookup.summaries == {}
    assert store.briefer.summaries == {}
