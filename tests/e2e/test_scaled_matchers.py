"""Two matcher processes on the real Tansu broker split the papers partitions; killing
one loses no match, the other takes over, and a replay adds no duplicate."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import pytest

from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import Paper, TopicName
from academichub.ingestor.formats.registry import FORMATS
from academichub.radar.document import PaperDocument
from academichub.radar.evaluate import evaluate
from academichub.radar.parser import parse_query
from tests.conftest import QUANT_PH_RSS
from tests.support.brokers import BrokerUnderTest
from tests.support.kafka import group_members
from tests.support.system import System, running_system

pytestmark = pytest.mark.e2e

QUERY = "quantum -entanglement"
MATCHER_GROUP = "academichub-matcher"


def papers() -> list[Paper]:
    return list(FORMATS["arxiv-rss"](QUANT_PH_RSS.read_bytes()).papers)


async def publish(system: System, batch: list[Paper]) -> None:
    publisher = KafkaPublisher(system.broker.bootstrap_servers, client_id="test")
    await publisher.start()
    try:
        await publisher.publish_many(TopicName.PAPERS, [(p.id, p) for p in batch])
    finally:
        await publisher.stop()


def consumed(system: System, port: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("academichub_matcher_papers_total{")
    )


def test_two_matchers_split_partitions_and_survive_a_kill(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    corpus = papers()
    node = parse_query(QUERY)
    expected = {p.id for p in corpus if evaluate(node, PaperDocument.from_paper(p)) is not None}
    first, second = corpus[:40], corpus[40:]

    with running_system(tmp_path, broker, BRIEFER_WINDOW_MAX_SECONDS="3600") as system:
        system.start("gateway")
        base = f"http://127.0.0.1:{system.env['GATEWAY_PORT']}"
        system.wait_for(
            "gateway", lambda: httpx.get(base + "/readyz", timeout=2).status_code == 200
        )
        radar_id = httpx.post(
            base + "/api/radars", json={"name": "q", "query": QUERY}, headers=system.headers
        ).json()["id"]

        port_a, port_b = (
            system.env["MATCHER_WEB_PORT"],
            str(int(system.env["MATCHER_WEB_PORT"]) + 1),
        )
        system.start("matcher-a", "matcher")
        system.start("matcher-b", "matcher", MATCHER_WEB_PORT=port_b, MATCHER_INDEX_WRITER="false")
        for port in (port_a, port_b):
            system.wait_for(
                f"matcher on {port} to hold the radar",
                lambda port=port: (
                    httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).json()["radars"] == 1
                ),
            )
        # The second replica may join the group a generation after the first (Apache Kafka
        # rebalances as each member arrives): publish once both hold their partitions.
        system.wait_for(
            "both replicas in the stable consumer group",
            lambda: (
                asyncio.run(group_members(system.broker.bootstrap_servers, MATCHER_GROUP))
                == ("Stable", 2)
            ),
        )
        asyncio.run(publish(system, first))
        system.wait_for(
            "both replicas to consume the first half",
            lambda: consumed(system, port_a) + consumed(system, port_b) >= len(first),
        )
        # The partitions were split: each replica consumed part of the first half.
        assert consumed(system, port_a) > 0
        assert consumed(system, port_b) > 0

        system.stop("matcher-b", sig=signal.SIGKILL)
        asyncio.run(publish(system, second))

        def matched() -> set[str] | None:
            items = httpx.get(
                f"{base}/api/radars/{radar_id}/matches",
                params={"limit": 100},
                headers=system.headers,
                timeout=5,
            ).json()["items"]
            got = {m["paper_id"] for m in items}
            return got if got == expected else None

        system.wait_for("the survivor to take over and match everything", matched, timeout=120)
        system.wait_for(
            "every paper searchable (indexed by the writer)",
            lambda: (
                httpx.get(
                    base + "/api/papers", params={"limit": 1}, headers=system.headers, timeout=5
                ).json()["total"]
                == len(corpus)
            ),
        )

        before = consumed(system, port_a)
        asyncio.run(publish(system, corpus))  # a full replay
        system.wait_for(
            "the replay to be consumed", lambda: consumed(system, port_a) >= before + len(corpus)
        )
        items = httpx.get(
            f"{base}/api/radars/{radar_id}/matches",
            params={"limit": 100},
            headers=system.headers,
            timeout=5,
        ).json()["items"]
        assert sorted(m["paper_id"] for m in items) == sorted(expected)  # no duplicate
