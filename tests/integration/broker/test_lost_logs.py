"""Consumers on a log that is not the one they consumed: a Tansu restart (topics and
committed offsets lost), a Kafka restart (both kept), a topic deleted and made again (the
operator's mistake). The follower and the group member notice their position is past the
log's end, read it from its start, count it, and lose none of the new events; a commit the
restarted broker refuses is counted and does not stop the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from prometheus_client import CollectorRegistry

from academichub.broker.consumer import ConsumerLoop
from academichub.broker.dead_letters import DeadLetters
from academichub.broker.kafka_source import FollowSource, GroupSource
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import TOPICS, Paper, TopicName
from academichub.contracts.examples import PAPER
from tests.support.brokers import BrokerUnderTest

pytestmark = pytest.mark.integration


def paper(n: int) -> Paper:
    return Paper.model_validate({**PAPER, "id": f"arxiv:2607.{n:05d}"})


@dataclass
class Consumers:
    """A follower and a group member of ``papers``, each with its own metrics."""

    servers: str
    seen: dict[str, set[str]] = field(default_factory=lambda: {"follow": set(), "group": set()})
    registries: dict[str, CollectorRegistry] = field(
        default_factory=lambda: {"follow": CollectorRegistry(), "group": CollectorRegistry()}
    )
    loops: dict[str, ConsumerLoop[Paper]] = field(default_factory=dict)

    def value(self, kind: str, name: str, **labels: str) -> float:
        found = self.registries[kind].get_sample_value(name, {"topic": "papers", **labels})
        return found or 0.0

    async def start(self, stack: AsyncExitStack, publisher: KafkaPublisher) -> None:
        stop = asyncio.Event()
        for kind in ("follow", "group"):
            metrics = ConsumerMetrics(self.registries[kind])
            source: FollowSource | GroupSource
            if kind == "follow":
                source = FollowSource(
                    self.servers,
                    TopicName.PAPERS,
                    client_id="lost-follow",
                    wait_seconds=0.2,
                    on_log_reset=lambda _p, m=metrics: m.log_reset(TopicName.PAPERS),
                )
            else:
                source = GroupSource(
                    self.servers,
                    TopicName.PAPERS,
                    group_id="lost-group",
                    client_id="lost-group",
                    wait_seconds=0.2,
                    commit_within_seconds=5,
                    session_timeout_ms=6000,
                    heartbeat_interval_ms=2000,
                    on_log_reset=lambda _p, m=metrics: m.log_reset(TopicName.PAPERS),
                )
            stack.push_async_callback(source.stop)
            await source.start()
            self.loops[kind] = loop = ConsumerLoop(
                topic=TopicName.PAPERS,
                event=Paper,
                source=source,
                handle=self._handler(kind),
                dead_letters=DeadLetters(publisher, service="test"),
                metrics=metrics,
            )
            task = asyncio.create_task(loop.run(stop))
            stack.push_async_callback(_stopped, stop, task)

    def _handler(self, kind: str) -> Callable[[list[Paper]], Awaitable[None]]:
        async def handle(papers: list[Paper]) -> None:
            self.seen[kind].update(p.id for p in papers)

        return handle


async def _stopped(stop: asyncio.Event, task: asyncio.Task[None]) -> None:
    stop.set()
    await asyncio.wait_for(task, 20)


async def until(
    what: str, condition: Callable[[], bool], within: float = 60.0, state: object = None
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}: {state}"
        await asyncio.sleep(0.1)


async def publish(servers: str, numbers: range) -> None:
    publisher = KafkaPublisher(servers, client_id="lost-producer")
    await publisher.start()
    try:
        await publisher.publish_many(TopicName.PAPERS, [(paper(n).id, paper(n)) for n in numbers])
    finally:
        await publisher.stop()


async def recreate(servers: str, topic: TopicName) -> None:
    """What an operator may do by mistake: delete the topic and make it again."""
    admin = AIOKafkaAdminClient(bootstrap_servers=servers)
    await admin.start()
    try:
        await admin.delete_topics([str(topic)])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while True:  # Kafka deletes asynchronously: make it again once the name is free
            response = await admin.create_topics(
                [NewTopic(str(topic), TOPICS[topic].partitions, 1)]
            )
            code = response.topic_errors[0][1]
            if code == 0:
                return
            assert loop.time() < deadline, f"topic {topic} could not be made again: {code}"
            await asyncio.sleep(0.5)
    finally:
        await admin.close()


@pytest.mark.parametrize("fault", ["restart", "recreate-topic"])
async def test_consumers_read_a_lost_log_again_and_miss_nothing(
    broker: BrokerUnderTest, fault: str
) -> None:
    servers = broker.bootstrap_servers
    consumers = Consumers(servers)
    before, after = range(0, 40), range(100, 110)  # fewer new events than the old offsets
    async with AsyncExitStack() as stack:
        publisher = KafkaPublisher(servers, client_id="lost-dlq")
        stack.push_async_callback(publisher.stop)
        await publisher.start()
        await consumers.start(stack, publisher)
        await publish(servers, before)
        wanted_before = {paper(n).id for n in before}
        await until(
            "the first events", lambda: all(s == wanted_before for s in consumers.seen.values())
        )

        if fault == "restart":
            await asyncio.to_thread(broker.restart, 2.0)
        else:
            await recreate(servers, TopicName.PAPERS)
        await publish(servers, after)
        wanted = wanted_before | {paper(n).id for n in after}
        await until(
            "the events written after the fault",
            lambda: all(s == wanted for s in consumers.seen.values()),
            within=90,
            state={k: sorted(wanted - s) for k, s in consumers.seen.items()},
        )
        for loop in consumers.loops.values():
            assert loop.progress.running  # nobody stopped on a refused commit
    resets = consumers.value("follow", "academichub_consumer_log_resets_total")
    if broker.kind == "tansu":
        # The topic stayed assigned through the fault and the follower kept its position:
        # only the check can have sent it back to the start.
        assert resets >= 1
    elif fault == "restart":
        assert resets == 0  # Kafka kept the log: nothing to read again
    # (A topic deleted on Kafka drops out of the assignment and is assigned afresh, from
    # its earliest offset, once the metadata lists it again: no reset is needed.)
