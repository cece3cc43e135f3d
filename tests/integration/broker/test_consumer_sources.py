"""The consumer loop over the real Tansu broker: the radar follower reads every partition
of a many-partition ``radars`` topic from the start; a group member commits after its
handler, so a second member of the group gets nothing again; a follower that restarts does
not dead-letter the same poison twice."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import CollectorRegistry

from academichub.broker.consumer import ConsumerLoop
from academichub.broker.dead_letters import DeadLetters
from academichub.broker.kafka_source import FollowSource, GroupSource
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import DeadLetter, Paper, RadarChange, TopicName, encode_event
from academichub.contracts.examples import PAPER, RADAR_CHANGE_UPSERT
from academichub.store.embedded import EmbeddedStore
from tests.support.brokers import BrokerKind, BrokerUnderTest, make_broker
from tests.support.kafka import read_topic
from tests.support.store_doors import on_its_thread

pytestmark = pytest.mark.integration

RADAR_PARTITIONS = 3


@pytest.fixture
def radars_broker(broker_kind: BrokerKind, tmp_path: Path) -> Iterator[BrokerUnderTest]:
    """A broker (Tansu, and Kafka when the kit is given) whose ``radars`` topic has three
    partitions (the registry's has one)."""
    running = make_broker(
        broker_kind, tmp_path / "broker", partitions={TopicName.RADARS: RADAR_PARTITIONS}
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


def change(radar_id: str) -> RadarChange:
    payload = copy.deepcopy(RADAR_CHANGE_UPSERT)
    payload["radar_id"] = payload["radar"]["id"] = radar_id
    return RadarChange.model_validate(payload)


@asynccontextmanager
async def producer(servers: str) -> AsyncIterator[AIOKafkaProducer]:
    started = AIOKafkaProducer(bootstrap_servers=servers, acks="all", enable_idempotence=False)
    await started.start()
    try:
        yield started
    finally:
        await started.stop()


async def until(condition: Callable[[], bool], within: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def follow(
    servers: str,
    stop_when: Callable[[list[RadarChange]], bool],
    dead_letters: DeadLetters,
    registry: CollectorRegistry,
) -> tuple[list[RadarChange], set[int]]:
    """Run a follower of ``radars`` until ``stop_when(changes seen)``."""
    seen: list[RadarChange] = []

    async def handle(changes: list[RadarChange]) -> None:
        seen.extend(changes)

    source = FollowSource(servers, TopicName.RADARS, client_id="test-follower", wait_seconds=0.2)
    await source.start()
    try:
        partitions = source.partitions()
        loop = ConsumerLoop(
            topic=TopicName.RADARS,
            event=RadarChange,
            source=source,
            handle=handle,
            dead_letters=dead_letters,
            metrics=ConsumerMetrics(registry),
        )
        stop = asyncio.Event()
        task = asyncio.create_task(loop.run(stop))
        try:
            await until(lambda: stop_when(seen) or task.done())
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
    finally:
        await source.stop()
    return seen, partitions


async def test_the_follower_reads_every_partition_of_radars_from_the_start(
    radars_broker: BrokerUnderTest,
) -> None:
    servers = radars_broker.bootstrap_servers
    written = [change(f"r_{p}{n}") for p in range(RADAR_PARTITIONS) for n in range(2)]
    async with producer(servers) as out:
        for i, radar_change in enumerate(written):
            # Each partition gets two changes, written before the follower starts.
            await out.send_and_wait(
                str(TopicName.RADARS),
                encode_event(radar_change),
                key=radar_change.radar_id.encode(),
                partition=i // 2,
            )
    publisher = KafkaPublisher(servers, client_id="test")
    await publisher.start()
    try:
        seen, partitions = await follow(
            servers,
            lambda changes: len(changes) >= len(written),
            DeadLetters(publisher, service="test"),
            CollectorRegistry(),
        )
    finally:
        await publisher.stop()
    assert partitions == set(range(RADAR_PARTITIONS))
    assert sorted(c.radar_id for c in seen) == sorted(c.radar_id for c in written)


async def test_a_restarted_follower_does_not_dead_letter_the_same_poison_again(
    radars_broker: BrokerUnderTest, tmp_path: Path
) -> None:
    servers = radars_broker.bootstrap_servers
    good = change("r_good")
    async with producer(servers) as out:
        await out.send_and_wait(str(TopicName.RADARS), b"[" * 100_000, key=b"r_bad", partition=1)
        await out.send_and_wait(
            str(TopicName.RADARS), encode_event(good), key=b"r_good", partition=2
        )
    publisher = KafkaPublisher(servers, client_id="test")
    await publisher.start()
    try:
        with on_its_thread(lambda: EmbeddedStore(tmp_path / "data", index_writer=True)) as store:
            counts = []
            for _ in range(3):  # three starts of the matcher, each reading from offset 0
                registry = CollectorRegistry()
                dead_letters = DeadLetters(
                    publisher, service="test", sent=store.part(lambda s: s.dead_letters)
                )
                seen, _ = await follow(servers, lambda c: bool(c), dead_letters, registry)
                assert [c.radar_id for c in seen] == ["r_good"]
                counts.append(
                    registry.get_sample_value(
                        "academichub_poison_events_total", {"topic": "radars"}
                    )
                )
    finally:
        await publisher.stop()
    letters = await read_topic(servers, TopicName.RADARS_DLQ, expect=2, within=5)
    assert len(letters) == 1
    ((key, letter),) = letters
    assert isinstance(letter, DeadLetter)
    assert (key, letter.partition, letter.offset) == ("r_bad", 1, 0)
    assert "deeper than" in letter.error
    assert counts == [1.0, None, None]  # counted when sent, by the first run only


def paper(n: int) -> Paper:
    return Paper.model_validate({**PAPER, "id": f"arxiv:2606.{n:05d}"})


async def test_a_group_member_commits_after_its_handler_and_the_group_moves_on(
    broker: BrokerUnderTest,
) -> None:
    servers = broker.bootstrap_servers
    publisher = KafkaPublisher(servers, client_id="test")
    await publisher.start()
    try:
        await publisher.publish_many(TopicName.PAPERS, [(paper(n).id, paper(n)) for n in range(6)])
        async with producer(servers) as out:
            await out.send_and_wait(str(TopicName.PAPERS), b"{not json", key=b"bad")

        async def consume(expect: int) -> list[Paper]:
            handled: list[Paper] = []

            async def handle(papers: list[Paper]) -> None:
                handled.extend(papers)

            source = GroupSource(
                servers,
                TopicName.PAPERS,
                group_id="test-group",
                client_id="test",
                wait_seconds=0.2,
            )
            await source.start()
            try:
                loop = ConsumerLoop(
                    topic=TopicName.PAPERS,
                    event=Paper,
                    source=source,
                    handle=handle,
                    dead_letters=DeadLetters(publisher, service="test"),
                    metrics=ConsumerMetrics(CollectorRegistry()),
                )
                stop = asyncio.Event()
                task = asyncio.create_task(loop.run(stop))
                try:
                    await until(lambda: bool(source.partitions()) or task.done())
                    await until(
                        lambda: (
                            (len(handled) >= expect and loop.progress.last_poll_at is not None)
                            or task.done()
                        )
                    )
                    # Joined and polling: give a redelivery, if any, the time to show up.
                    await asyncio.sleep(2.0)
                finally:
                    stop.set()
                    await asyncio.wait_for(task, 10)
            finally:
                await source.stop()
            return handled

        first = await consume(expect=6)
        assert sorted(p.id for p in first) == sorted(paper(n).id for n in range(6))
        second = await consume(expect=0)
        assert second == []  # committed past all of it, the poison included
    finally:
        await publisher.stop()
    letters = await read_topic(servers, TopicName.PAPERS_DLQ, expect=2, within=5)
    assert [json.loads(letter.model_dump_json())["key"] for _, letter in letters] == ["bad"]
