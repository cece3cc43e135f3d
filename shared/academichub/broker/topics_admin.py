"""Create the registry's topics on a broker (idempotent: existing topics are kept)."""

from __future__ import annotations

import asyncio
import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from academichub.contracts import TOPICS
from academichub.platform.errors import TransientError

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap_servers: str, *, replication_factor: int = 1, connect_within: float = 30.0
) -> list[str]:
    """Create every registry topic that does not exist yet; return the ones created."""
    admin = await _connect(bootstrap_servers, connect_within)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in TOPICS.values() if str(t.name) not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(str(t.name), t.partitions, replication_factor) for t in missing]
        )
        created = []
        for name, code, message in _topic_errors(response):
            if code == 0:
                created.append(name)
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
