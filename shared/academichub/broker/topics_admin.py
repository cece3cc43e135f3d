"""Create the registry's topics on a broker (idempotent: existing topics are kept).

Durability is the operator's choice, per cluster: ``replication_factor`` copies of every
partition, of which ``min_insync_replicas`` must have a write before it is acknowledged
(the producers use ``acks="all"``). The defaults, 1 and 1, suit one broker (the Tansu
broker of ``make up``, the one Kafka node of docker compose); a production cluster of three
brokers uses 3 and 2, so one broker may be down without losing or refusing writes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from academichub.contracts import TOPICS, TopicName
from academichub.platform.errors import ConfigError, TransientError

log = logging.getLogger(__name__)

# CreateTopics errors that no retry can fix: the cluster cannot hold the topic as asked
# (INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT,
# INVALID_CONFIG), e.g. a replication factor above a one-node cluster's one broker.
_REFUSED_AS_CONFIGURED = frozenset({37, 38, 39, 40})


@dataclass(frozen=True)
class Durability:
    """Copies of each partition, and how many must hold a write before it is acknowledged."""

    replication_factor: int = 1
    min_insync_replicas: int = 1

    def __post_init__(self) -> None:
        if self.replication_factor < 1:
            raise ValueError(
                f"the replication factor must be at least 1, not {self.replication_factor}"
            )
        if not 1 <= self.min_insync_replicas <= self.replication_factor:
            raise ValueError(
                f"min.insync.replicas must be between 1 and the replication factor "
                f"({self.replication_factor}), not {self.min_insync_replicas}: with more, "
                "no write could ever be acknowledged"
            )

    def topic_configs(self) -> dict[str, str]:
        return {"min.insync.replicas": str(self.min_insync_replicas)}


async def ensure_topics(
    bootstrap_servers: str,
    *,
    durability: Durability = Durability(),
    connect_within: float = 30.0,
    partitions: Mapping[TopicName, int] | None = None,
) -> list[str]:
    """Create every registry topic that does not exist yet, with its partitions (or those
    ``partitions`` gives it) and ``durability``; return the ones created. Existing topics
    are never changed."""
    counts = {name: topic.partitions for name, topic in TOPICS.items()} | dict(partitions or {})
    admin = await _connect(bootstrap_servers, connect_within)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in TOPICS.values() if str(t.name) not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(
                    str(t.name),
                    counts[t.name],
                    durability.replication_factor,
                    topic_configs=durability.topic_configs(),
                )
                for t in missing
            ]
        )
        created = []
        for name, code, message in _topic_errors(response):
            if code == 0:
                created.append(name)
            elif code in _REFUSED_AS_CONFIGURED:
                raise ConfigError(
                    f"the broker refused to create topic {name} with {counts[TopicName(name)]} "
                    f"partitions, replication factor {durability.replication_factor} and "
                    f"min.insync.replicas {durability.min_insync_replicas}: {message} "
                    f"(Kafka error {code}); the replication factor cannot exceed the "
                    "cluster's brokers"
                )
            elif code != TopicAlreadyExistsError.errno:
                raise KafkaError(f"creating topic {name} failed: error {code} {message}")
        log.info("created topics %s", created)
        return created
    finally:
        await admin.close()


def _topic_errors(response: object) -> list[tuple[str, int, str | None]]:
    out = []
    for item in getattr(response, "topic_errors", []):
        name, code = item[0], item[1]
        message = item[2] if len(item) > 2 else None
        out.append((str(name), int(code), message))
    return out


async def _connect(bootstrap_servers: str, connect_within: float) -> AIOKafkaAdminClient:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + connect_within
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
        try:
            await admin.start()
            return admin
        except KafkaConnectionError as exc:
            await admin.close()
            if loop.time() > deadline:
                raise TransientError(
                    f"broker at {bootstrap_servers} did not answer within {connect_within:.0f}s"
                ) from exc
            await asyncio.sleep(0.2)
