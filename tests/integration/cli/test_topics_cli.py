"""`academichub topics` on the real local broker: missing topics are created with the
partitions of the registry and the durability given on the command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from academichub.contracts import TOPICS, TopicName
from tests.support.brokers import BrokerUnderTest

pytestmark = pytest.mark.integration
ACADEMICHUB = str(Path(sys.executable).with_name("academichub"))


def topics(servers: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACADEMICHUB_BOOTSTRAP_SERVERS": servers}
    return subprocess.run(
        [ACADEMICHUB, "topics", *args], capture_output=True, text=True, timeout=120, env=env
    )


async def _min_insync(admin: AIOKafkaAdminClient, topic: str) -> str:
    (response,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    ((_, _, _, _, entries),) = response.resources
    return str({name: value for name, value, *_ in entries}["min.insync.replicas"])


async def test_missing_topics_are_created_with_the_durability_given(
    broker: BrokerUnderTest,
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([str(TopicName.BRIEFINGS)])
        await _until_gone(admin, str(TopicName.BRIEFINGS))
        done = topics(broker.bootstrap_servers, "--min-insync-replicas", "1")
        assert done.returncode == 0, done.stderr
        assert "replication factor 1, min.insync.replicas 1" in done.stdout
        assert "created ['briefings']" in done.stdout
        assert await _min_insync(admin, str(TopicName.BRIEFINGS)) == "1"
        (described,) = await admin.describe_topics([str(TopicName.BRIEFINGS)])
        assert len(described["partitions"]) == TOPICS[TopicName.BRIEFINGS].partitions
    finally:
        await admin.close()
    again = topics(broker.bootstrap_servers)
    assert again.returncode == 0, again.stderr
    assert "created none (all existed)" in again.stdout


async def test_a_replication_factor_above_the_brokers_reaches_the_broker(
    broker: BrokerUnderTest,
) -> None:
    """One node: Tansu takes the options as given (so they can be seen to reach it), while
    Apache Kafka refuses a replication factor of 2, and the command says why."""
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([str(TopicName.BRIEFINGS)])
        await _until_gone(admin, str(TopicName.BRIEFINGS))
        done = topics(
            broker.bootstrap_servers, "--replication-factor", "2", "--min-insync-replicas", "2"
        )
        if broker.kind == "tansu":
            assert done.returncode == 0, done.stderr
            assert "replication factor 2, min.insync.replicas 2" in done.stdout
            assert await _min_insync(admin, str(TopicName.BRIEFINGS)) == "2"
            assert await _min_insync(admin, str(TopicName.PAPERS)) == "1"  # existing: unchanged
        else:
            assert done.returncode == 2
            assert "refused to create topic briefings" in done.stderr
            assert "replication factor 2" in done.stderr
            assert "Traceback" not in done.stderr
    finally:
        await admin.close()


async def _until_gone(admin: AIOKafkaAdminClient, topic: str, within: float = 30.0) -> None:
    """Kafka deletes a topic asynchronously: wait until the broker no longer lists it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while topic in set(await admin.list_topics()):
        assert loop.time() < deadline, f"topic {topic} still listed after {within}s"
        await asyncio.sleep(0.2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--replication-factor", "0"), "at least 1"),
        (("--replication-factor", "1", "--min-insync-replicas", "2"), "between 1 and"),
        (("--min-insync-replicas", "0"), "between 1 and"),
    ],
)
def test_impossible_durability_is_refused_before_connecting(
    options: tuple[str, ...], message: str
) -> None:
    done = topics("127.0.0.1:1", *options)
    assert done.returncode == 2
    assert message in done.stderr
    assert "--replication-factor/--min-insync-replicas" in done.stderr
