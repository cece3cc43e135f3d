"""The event publisher port, its Kafka adapter and its recording fake.

The Kafka adapter respects the Tansu limits in ARCHITECTURE.md: ``acks="all"``, no
idempotent producer, no transactions. Delivery is at-least-once; sinks are idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from academichub.contracts import TopicName, encode_event


class EventPublisher(Protocol):
    async def publish(self, topic: TopicName, key: str, event: BaseModel) -> None:
        """Publish one event and return once the broker acknowledged it."""
        ...

    async def publish_many(self, topic: TopicName, items: list[tuple[str, BaseModel]]) -> None:
        """Publish several events (pipelined) and return once all are acknowledged."""
        ...


class KafkaPublisher:
    """aiokafka producer with the settings the local broker and production share."""

    def __init__(self, bootstrap_servers: str, client_id: str) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._started: AIOKafkaProducer | None = None

    async def start(self) -> None:
        # Built here, not in __init__: aiokafka binds the producer to the running loop.
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=False,  # Tansu has no InitProducerId
            compression_type="gzip",  # lz4 is not available on Tansu
            linger_ms=5,
        )
        await producer.start()
        self._started = producer

    async def stop(self) -> None:
        producer, self._started = self._started, None
        if producer is not None:
            await producer.stop()

    @property
    def _producer(self) -> AIOKafkaProducer:
        if self._started is None:
            raise RuntimeError("KafkaPublisher used before start()")
        return self._started

    async def publish(self, topic: TopicName, key: str, event: BaseModel) -> None:
        await self._producer.send_and_wait(str(topic), encode_event(event), key=key.encode())

    async def publish_many(self, topic: TopicName, items: list[tuple[str, BaseModel]]) -> None:
        futures = [
            await self._producer.send(str(topic), encode_event(event), key=key.encode())
            for key, event in items
        ]
        for fut in futures:
            await fut


@dataclass
class RecordingPublisher:
    """In-memory fake: keeps what was published, in order; can be told to fail."""

    sent: list[tuple[TopicName, str, BaseModel]] = field(default_factory=list)
    fail_with: Exception | None = None

    async def publish(self, topic: TopicName, key: str, event: BaseModel) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((topic, key, event))

    async def publish_many(self, topic: TopicName, items: list[tuple[str, BaseModel]]) -> None:
        for key, event in items:
            await self.publish(topic, key, event)

    def on(self, topic: TopicName) -> list[BaseModel]:
        return [event for t, _, event in self.sent if t == topic]
