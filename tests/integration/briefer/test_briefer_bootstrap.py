"""The briefer's composition root against a real Tansu broker: matches in, briefings out."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import CollectorRegistry

from academichub.briefer.bootstrap import serve
from academichub.briefer.settings import BrieferSettings
from academichub.broker.local import free_port
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import (
    Briefing,
    DeadLetter,
    Match,
    Paper,
    Radar,
    TopicName,
)
from academichub.platform.settings import CommonSettings
from academichub.store.memory import InMemoryStore
from tests.support.brokers import BrokerUnderTest
from tests.support.kafka import read_topic

pytestmark = pytest.mark.integration

NOW = dt.datetime.now(dt.UTC)


def seeded_store() -> InMemoryStore:
    store = InMemoryStore()
    store.radars.put_radar(
        Radar(
            id="r1",
            owner="alice",
            name="Codes",
            query="surface code",
            language="en",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    store.papers.upsert_papers(
        [
            Paper(
                id=f"arxiv:2606.0000{n}",
                version=1,
                source="arxiv",
                title=f"Surface codes part {n}",
                abstract=f"Background. We show lattice surgery result {n} for surface codes.",
                categories=("quant-ph",),
                published=NOW.date(),
            )
            for n in (1, 2, 3)
        ]
    )
    return store


async def test_matches_become_one_published_briefing_and_poison_is_dead_lettered(
    broker: BrokerUnderTest,
) -> None:
    store = seeded_store()
    port = free_port()
    settings = BrieferSettings(
        common=CommonSettings(bootstrap_servers=broker.bootstrap_servers),
        window_max_papers=3,
        check_interval_seconds=0.05,
        metrics_port=port,
        llm_base_url=None,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve(settings, open_store=lambda: store, registry=CollectorRegistry(), stop=stop)
    )
    try:
        publisher = KafkaPublisher(broker.bootstrap_servers, client_id="test")
        await publisher.start()
        matches = [
            Match(radar_id="r1", paper_id=f"arxiv:2606.0000{n}", version=1, score=n, matched_at=NOW)
            for n in (1, 2, 3)
        ]
        # Sent twice: a replay must not make a second briefing.
        await publisher.publish_many(TopicName.MATCHES, [("r1", m) for m in matches * 2])
        await publisher.stop()
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers)
        await producer.start()
        await producer.send_and_wait(str(TopicName.MATCHES), b"{broken", key=b"r1")
        await producer.stop()

        (key, briefing), *more = await read_topic(
            broker.bootstrap_servers, TopicName.BRIEFINGS, expect=1
        )
        assert key == "r1"
        assert isinstance(briefing, Briefing)
        assert briefing.id == "r1.w1"
        assert briefing.paper_ids == tuple(f"arxiv:2606.0000{n}" for n in (3, 2, 1))
        assert briefing.provider == "extractive"

        ((_, letter),) = await read_topic(broker.bootstrap_servers, TopicName.MATCHES_DLQ, expect=1)
        assert isinstance(letter, DeadLetter)
        assert letter.service == "briefer"

        async with httpx.AsyncClient() as http:
            exposed = (await http.get(f"http://127.0.0.1:{port}/metrics", timeout=5)).text
        assert 'academichub_poison_events_total{topic="matches"} 1.0' in exposed
        assert (
            'academichub_briefer_briefings_total{degraded="false",provider="extractive"} 1.0'
            in exposed
        )
        assert more == []
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=20)
    assert store.closed  # the composition root closed what it opened
    assert [b.id for b in store.briefings.briefings_for_radar("r1")] == ["r1.w1"]
