"""`academichub topics` on the real local broker: missing topics are created with the
partitions of the registry and the durability given on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from academichub.broker.local import LocalBroker
from academichub.contracts import TOPICS, TopicName

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


async def test_missing_topics_are_created_with_the_durability_given(broker: LocalBroker) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([str(TopicName.BRIEFINGS)])
        # The Tansu broker accepts a replication factor above its one node, so the options
        # can be seen to reach the broker; a real Kafka would need as many brokers.
        done = topics(
            broker.bootstrap_servers, "--replication-factor", "2", "--min-insync-replicas", "2"
        )
        assert done.returncode == 0, done.stderr
        assert "replication factor 2, min.insync.replicas 2" in done.stdout
        assert "created ['briefings']" in done.stdout
        assert await _min_insync(admin, str(TopicName.BRIEFINGS)) == "2"
        assert await _min_insync(admin, str(TopicName.PAPERS)) == "1"  # existing: unchanged
        (described,) = await admin.describe_topics([str(TopicName.BRIEFINGS)])
        assert len(described["partitions"]) == TOPICS[TopicName.BRIEFINGS].partitions
    finally:
        await admin.close()
    again = topics(broker.bootstrap_servers)
    assert again.returncode == 0, again.stderr
    assert "replication factor 1, min.insync.replicas 1" in again.stdout
    assert "created none (all existed)" in again.stdout


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
