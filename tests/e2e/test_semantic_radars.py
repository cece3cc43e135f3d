"""Semantic radars end to end, as processes on the real broker, with the packaged MiniLM.

The keyword matcher, the matcher's embedding role and the gateway run; the recorded
quant-ph day is published in two halves. A radar created through the API from two seed
papers on phonons and spin relaxation (no query) gets, from the second half, papers that
share none of its seeds' title words, each explained by its nearest seed; a 👍 and a 👎
then change the order of its matches.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from academichub.broker.local import free_port
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import Paper, TopicName
from academichub.gateway.domain.search_hints import STOP_WORDS
from academichub.ingestor.formats.registry import FORMATS
from tests.conftest import QUANT_PH_RSS
from tests.support.brokers import BrokerUnderTest
from tests.support.system import System, running_system

pytestmark = pytest.mark.e2e

# "Acoustic phonons, spin-phonon coupling and spin relaxation via the lattice reorientation
# mechanism" and "Phonon thermal Hall as a lattice Aharonov-Bohm effect".
SEEDS = ("arxiv:2504.18198", "arxiv:2502.18236")


def corpus() -> tuple[list[Paper], list[Paper]]:
    """The seeds and every other remaining paper first; the rest second."""
    papers = list(FORMATS["arxiv-rss"](QUANT_PH_RSS.read_bytes()).papers)
    seeds = [p for p in papers if p.id in SEEDS]
    rest = [p for p in papers if p.id not in SEEDS]
    return seeds + rest[0::2], rest[1::2]


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP_WORDS}


async def publish(system: System, batch: list[Paper]) -> None:
    publisher = KafkaPublisher(system.broker.bootstrap_servers, client_id="test")
    await publisher.start()
    try:
        await publisher.publish_many(TopicName.PAPERS, [(p.id, p) for p in batch])
    finally:
        await publisher.stop()


def metric(port: str, name: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#")
    )


def test_a_semantic_radar_matches_by_meaning_and_learns(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    first, second = corpus()
    embed_port = str(free_port())
    with running_system(tmp_path, broker) as system:
        base = f"http://127.0.0.1:{system.env['GATEWAY_PORT']}"
        system.start("matcher")
        system.start(
            "embedder",
            "matcher",
            MATCHER_ROLE="embed",
            MATCHER_WEB_PORT=embed_port,
            MATCHER_EMBED_BATCH_SIZE="64",
            MATCHER_EMBED_BATCH_WITHIN_SECONDS="0.5",
        )
        system.start("gateway")
        system.wait_for(
            "the gateway", lambda: httpx.get(base + "/readyz", timeout=2).status_code == 200
        )
        api = httpx.Client(base_url=base, headers=system.headers, timeout=30)

        asyncio.run(publish(system, first))
        system.wait_for(
            "the first half stored and embedded",
            lambda: (
                api.get("/api/papers", params={"limit": 1}).json()["total"] == len(first)
                and metric(embed_port, "academichub_matcher_vectors_written_total") >= len(first)
            ),
            timeout=300,
        )

        created = api.post(
            "/api/radars",
            json={
                "name": "Phonons and spins",
                "seeds": ["2504.18198", "https://arxiv.org/abs/2502.18236v2"],
                "per_day": 3,
                "language": "en",
            },
        )
        assert created.status_code == 201, created.text
        radar = created.json()
        assert tuple(radar["seeds"]) == SEEDS
        assert radar["query"] == ""
        assert radar["threshold"] is not None  # 3 a day over the first half's day
        system.wait_for(
            "the embedding role to hold the radar",
            lambda: (
                httpx.get(f"http://127.0.0.1:{embed_port}/readyz", timeout=2).json()["radars"] == 1
            ),
        )

        asyncio.run(publish(system, second))
        system.wait_for(
            "the second half embedded",
            lambda: (
                metric(embed_port, "academichub_matcher_vectors_written_total")
                >= len(first) + len(second)
            ),
            timeout=300,
        )

        def matches() -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = api.get(
                f"/api/radars/{radar['id']}/matches", params={"limit": 50}
            ).json()["items"]
            return found

        found = system.wait_for("matches by meaning", lambda: len(matches()) >= 2 and matches())
        by_id = {p.id: p for p in first + second}
        later = {p.id for p in second}
        seed_words = set().union(*(words(by_id[s].title) for s in SEEDS))
        assert {m["paper_id"] for m in found} <= later
        for match in found:
            assert match["score_kind"] == "similarity"
            assert match["terms"] == []
            assert match["nearest"][0]["paper_id"] in SEEDS
            assert match["nearest"][0]["similarity"] > 0.2
        unlike = [
            m
            for m in found
            if not seed_words
            & words(by_id[m["paper_id"]].title + " " + by_id[m["paper_id"]].abstract)
        ]
        assert unlike, f"every match shares a word with the seeds' titles: {found}"

        # A 👍 on the last and a 👎 on the first change the order.
        before = [m["paper_id"] for m in found]
        liked, disliked = before[-1], before[0]
        for paper_id, verdict in ((liked, "up"), (disliked, "down")):
            given = api.post(
                f"/api/radars/{radar['id']}/feedback",
                json={"paper_id": paper_id, "verdict": verdict},
            )
            assert given.status_code == 200, given.text
        after = matches()
        order = [m["paper_id"] for m in after]
        assert order != before
        assert order.index(liked) < order.index(disliked)
        assert {m["score_kind"] for m in after} == {"learned"}
        learned = api.get(f"/api/radars/{radar['id']}").json()
        assert (learned["liked"], learned["disliked"]) == ([liked], [disliked])
