"""The whole system, as processes, on the real Tansu broker and the embedded store.

The recorded quant-ph RSS is served over HTTP to the ingestor; a radar created through
the gateway gets exactly the papers the reference semantics says it should; a briefing
cites only matched papers; replaying the feed (and the papers topic) changes nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import TopicName
from academichub.ingestor.formats.registry import FORMATS
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from tests.conftest import QUANT_PH_RSS
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import Route, serve_feeds
from tests.support.system import System, running_system

pytestmark = pytest.mark.e2e

QUERY = 'entanglement OR "machine learning" -harvesting'


def reference_ids(query: str) -> set[str]:
    """The reference semantics (the in-memory evaluator) over the same recorded feed."""
    node = parse_query(query)
    papers = FORMATS["arxiv-rss"](QUANT_PH_RSS.read_bytes()).papers
    return {p.id for p in papers if evaluate(node, PaperDocument.from_paper(p)) is not None}


def expected_matches() -> set[str]:
    return reference_ids(QUERY)


def get(system: System, path: str, **params: Any) -> Any:
    port = system.env["GATEWAY_PORT"]
    response = httpx.get(
        f"http://127.0.0.1:{port}{path}", params=params, headers=system.headers, timeout=10
    )
    response.raise_for_status()
    return response.json()


def settled_state(system: System, radar_id: str) -> tuple[int, list[tuple[str, int]], list[str]]:
    papers = get(system, "/api/papers", q="quantum", limit=1)["total"]
    matches = sorted(
        (m["paper_id"], m["version"])
        for m in get(system, f"/api/radars/{radar_id}/matches", limit=500)["items"]
    )
    briefings = sorted(b["id"] for b in get(system, f"/api/radars/{radar_id}/briefings")["items"])
    return papers, matches, briefings


def test_feed_to_search_matches_and_briefing(broker: BrokerUnderTest, tmp_path: Path) -> None:
    expected = expected_matches()
    assert 5 <= len(expected) < 81

    with (
        serve_feeds({"/rss/quant-ph": Route(QUANT_PH_RSS.read_bytes())}) as feeds,
        running_system(
            tmp_path,
            broker,
            INGESTOR_FEEDS=(
                '[{"name": "arxiv", "format": "arxiv-rss", "url": "'
                + feeds.url("/rss/quant-ph")
                + '"}]'
            ),
            INGESTOR_POLL_INTERVAL_SECONDS="2",
            BRIEFER_WINDOW_MAX_PAPERS="500",
            BRIEFER_WINDOW_MAX_SECONDS="3",
            BRIEFER_CHECK_INTERVAL_SECONDS="0.5",
        ) as system,
    ):
        for name in ("matcher", "briefer", "gateway"):
            system.start(name)
        port = system.env["GATEWAY_PORT"]
        base = f"http://127.0.0.1:{port}"
        system.wait_for(
            "gateway", lambda: httpx.get(base + "/readyz", timeout=2).status_code == 200
        )

        bad = httpx.post(
            base + "/api/radars",
            json={"name": "bad", "query": "quantum AND ("},
            headers=system.headers,
        )
        assert bad.status_code == 422
        assert bad.json()["position"] >= 0

        created = httpx.post(
            base + "/api/radars",
            json={"name": "Entanglement", "query": QUERY, "language": "en"},
            headers=system.headers,
        )
        assert created.status_code == 201, created.text
        radar_id = created.json()["id"]
        matcher_web = f"http://127.0.0.1:{system.env['MATCHER_WEB_PORT']}"
        system.wait_for(
            "the matcher to hold the radar",
            lambda: httpx.get(matcher_web + "/readyz", timeout=2).json()["radars"] == 1,
        )

        system.start("ingestor")
        # Searchable through the gateway: indexing is incremental, so wait for the whole
        # feed before comparing a query's total with the reference semantics.
        system.wait_for("all 81 papers", lambda: get(system, "/api/papers", limit=1)["total"] == 81)
        quantum = get(system, "/api/papers", q="quantum", limit=100)["total"]
        assert quantum == len(reference_ids("quantum"))
        assert quantum > 10

        # Exactly the expected matches, each explained.
        def matched() -> set[str] | None:
            got = {
                m["paper_id"]
                for m in get(system, f"/api/radars/{radar_id}/matches", limit=500)["items"]
            }
            return got if got == expected else None

        system.wait_for("the expected matches", matched)
        for m in get(system, f"/api/radars/{radar_id}/matches", limit=500)["items"]:
            assert m["terms"], m

        # A briefing that cites only matched papers.
        briefing = system.wait_for(
            "a briefing", lambda: get(system, f"/api/radars/{radar_id}/briefings")["items"]
        )[0]
        assert set(briefing["paper_ids"]) <= expected
        cited = {pid for t in briefing["themes"] for pid in t["paper_ids"]}
        cited |= {n["paper_id"] for n in briefing["notable"]}
        assert cited
        assert cited <= set(briefing["paper_ids"])
        assert briefing["provider"] == "extractive"

        # Let every window close, then replay: the feed again and the papers topic again.
        system.wait_for(
            "all matches briefed",
            lambda: (
                sum(
                    len(b["paper_ids"])
                    for b in get(system, f"/api/radars/{radar_id}/briefings")["items"]
                )
                == len(expected)
            ),
        )
        before = settled_state(system, radar_id)
        polls = len(feeds.requests)
        feeds.routes["/rss/quant-ph"] = Route(QUANT_PH_RSS.read_bytes() + b" ")  # new ETag
        system.wait_for("two more polls", lambda: len(feeds.requests) >= polls + 2)
        asyncio.run(_republish_papers(system))
        system.wait_for("the replay to be consumed", lambda: _matcher_saw(system, 162))
        assert settled_state(system, radar_id) == before

        # Home page and metrics.
        home = httpx.get(base + "/").text
        assert "Academic Intelligence · Curated Daily" in home
        assert "01." in home
        metrics = httpx.get(base + "/metrics").text
        assert "academichub_gateway_http_requests_total{" in metrics
        assert 'route="/api/radars/{radar_id}/matches"' in metrics  # the template, not the path


async def _republish_papers(system: System) -> None:
    papers = FORMATS["arxiv-rss"](QUANT_PH_RSS.read_bytes()).papers
    publisher = KafkaPublisher(system.broker.bootstrap_servers, client_id="replay")
    await publisher.start()
    try:
        await publisher.publish_many(TopicName.PAPERS, [(p.id, p) for p in papers])
    finally:
        await publisher.stop()


def _matcher_saw(system: System, count: int) -> bool:
    text = httpx.get(f"http://127.0.0.1:{system.env['MATCHER_WEB_PORT']}/metrics", timeout=2).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("academichub_matcher_papers_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return total >= count
