"""Model-written briefings through the whole pipeline, as processes, with an outage.

The recorded quant-ph RSS is served over HTTP to the ingestor; the matcher matches it
against one radar; the briefer (``OPENAI_BASE_URL`` pointing at a real OpenAI-compatible
server running in this test process) briefs every window. The model is down at first —
every window still gets an extractive briefing, marked degraded — and then comes back,
inventing a citation in every answer: each degraded briefing is rewritten in place by
the model (same id, published again), and no briefing cites a paper outside its window.

The radar is written the way the gateway writes one (store, then the ``radars`` topic),
so this test depends on the briefer's pipeline only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import Briefing, BriefingSchedule, Radar, RadarChange, TopicName
from academichub.ingestor.formats.registry import FORMATS
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from academichub.store.embedded import EmbeddedStore
from tests.conftest import QUANT_PH_RSS
from tests.integration.briefer.chat_server import Reply, serve_chat, well_behaved_answer
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import Route, serve_feeds
from tests.support.kafka import read_topic
from tests.support.system import System, running_system

pytestmark = pytest.mark.e2e

QUERY = 'entanglement OR "machine learning" -harvesting'
INVENTED = "arxiv:1706.03762"
NOW = dt.datetime.now(dt.UTC)
RADAR = Radar(
    id="llm-radar",
    owner="e2e",
    name="Entanglement",
    query=QUERY,
    language="en",
    schedule=BriefingSchedule(kind="every_n", n=5),
    created_at=NOW,
    updated_at=NOW,
)


def expected_matches() -> set[str]:
    node = parse_query(QUERY)
    papers = FORMATS["arxiv-rss"](QUANT_PH_RSS.read_bytes()).papers
    return {p.id for p in papers if evaluate(node, PaperDocument.from_paper(p)) is not None}


def briefings(system: System) -> list[Briefing]:
    store = EmbeddedStore(system.data_dir, index_writer=False)
    try:
        return store.briefings.briefings_for_radar(RADAR.id, limit=500)
    finally:
        store.close()


def cited(b: Briefing) -> set[str]:
    ids = {i for t in b.themes for i in t.paper_ids}
    ids |= {i for c in b.connections for i in c.paper_ids}
    return ids | {n.paper_id for n in b.notable} | {t.paper_id for t in b.tldrs}


async def _create_radar(system: System) -> None:
    # As the gateway does: the store first (the briefer reads radars there), then the topic.
    store = EmbeddedStore(system.data_dir, index_writer=False)
    try:
        store.radars.put_radar(RADAR)
    finally:
        store.close()
    publisher = KafkaPublisher(system.broker.bootstrap_servers, client_id="e2e")
    await publisher.start()
    try:
        change = RadarChange(kind="upsert", radar_id=RADAR.id, revision=1, radar=RADAR)
        await publisher.publish(TopicName.RADARS, RADAR.id, change)
    finally:
        await publisher.stop()


def test_windows_are_briefed_by_the_model_and_upgraded_after_an_outage(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    expected = expected_matches()
    assert 10 <= len(expected) < 81

    with (
        serve_feeds({"/rss/quant-ph": Route(QUANT_PH_RSS.read_bytes())}) as feeds,
        serve_chat() as chat,
        running_system(
            tmp_path,
            broker,
            INGESTOR_FEEDS=(
                '[{"name": "arxiv", "format": "arxiv-rss", "url": "'
                + feeds.url("/rss/quant-ph")
                + '"}]'
            ),
            INGESTOR_POLL_INTERVAL_SECONDS="2",
            BRIEFER_WINDOW_MAX_PAPERS="50",
            BRIEFER_WINDOW_MAX_SECONDS="2",
            BRIEFER_CHECK_INTERVAL_SECONDS="0.3",
            OPENAI_BASE_URL=chat.base_url,
            OPENAI_MODEL="e2e-model",
            BRIEFER_LLM_MAX_ATTEMPTS="1",
            BRIEFER_LLM_TIMEOUT_SECONDS="10",
            BRIEFER_BREAKER_FAILURES="2",
            BRIEFER_BREAKER_COOLDOWN_SECONDS="1",
            BRIEFER_UPGRADES_PER_PASS="20",
        ) as system,
    ):
        chat.responder = lambda body: Reply(status=503, error="model is loading")
        asyncio.run(_create_radar(system))
        system.start("matcher")
        system.start("briefer")
        matcher_web = f"http://127.0.0.1:{system.env['MATCHER_WEB_PORT']}"
        system.wait_for(
            "the matcher to hold the radar",
            lambda: httpx.get(matcher_web + "/readyz", timeout=2).json()["radars"] == 1,
        )
        system.start("ingestor")

        # The outage: windows are briefed anyway, extractively, and say why.
        degraded = system.wait_for(
            "a degraded briefing", lambda: [b for b in briefings(system) if b.degraded]
        )
        assert degraded[0].provider == "extractive"
        assert degraded[0].degraded_reason is not None
        assert "model failed" in degraded[0].degraded_reason

        # The model comes back, and invents a citation in every answer.
        def recovered(body: dict[str, Any]) -> Reply:
            return Reply(content=json.dumps(well_behaved_answer(body, invent=INVENTED)))

        chat.responder = recovered

        def all_briefed_by_the_model() -> list[Briefing] | None:
            found = briefings(system)
            covered = {i for b in found for i in (*b.paper_ids, *b.omitted_paper_ids)}
            done = covered == expected and all(not b.degraded for b in found)
            return found if done else None

        final = system.wait_for("every window briefed by the model", all_briefed_by_the_model)

        # Exactly one briefing per window, numbered without gaps, each paper in one window.
        assert sorted(b.window for b in final) == list(range(1, len(final) + 1))
        assert len({b.id for b in final}) == len(final)
        windows = [set(b.paper_ids) | set(b.omitted_paper_ids) for b in final]
        assert sum(len(w) for w in windows) == len(expected)
        for b in final:
            assert (b.provider, b.model, b.degraded) == ("openai", "served-model", False)
            assert cited(b) <= set(b.paper_ids), b.id
            assert INVENTED not in b.model_dump_json()
            assert [t.paper_id for t in b.tldrs] == list(b.paper_ids)
            assert all(t.tldr.startswith("Model TL;DR") for t in b.tldrs)

        # Every degraded briefing was published, then published again upgraded, same id.
        metrics = httpx.get(
            f"http://127.0.0.1:{system.env['BRIEFER_METRICS_PORT']}/metrics", timeout=5
        ).text
        upgrades = int(_sample(metrics, "academichub_briefer_upgrades_total"))
        assert upgrades >= len(degraded)
        events = asyncio.run(
            read_topic(
                system.broker.bootstrap_servers,
                TopicName.BRIEFINGS,
                expect=len(final) + upgrades,
            )
        )
        assert len(events) == len(final) + upgrades
        published: dict[str, list[Briefing]] = {}
        for key, event in events:
            assert isinstance(event, Briefing)
            assert key == RADAR.id
            published.setdefault(event.id, []).append(event)
        assert set(published) == {b.id for b in final}
        assert {b.id for b in degraded} <= {i for i, v in published.items() if len(v) == 2}
        for b in final:
            versions = published[b.id]
            assert versions[-1] == b
            if len(versions) == 2:
                first, second = versions
                assert (first.degraded, second.degraded) == (True, False)
                assert set(second.paper_ids) | set(second.omitted_paper_ids) == set(
                    first.paper_ids
                ) | set(first.omitted_paper_ids)
        # The model was never offered anything to call.
        assert all("tools" not in r and "functions" not in r for r in chat.requests)
        assert 'academichub_briefer_citations_rejected_total{reason="outside_window"}' in metrics


def _sample(exposition: str, name: str) -> float:
    for line in exposition.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not exposed")
