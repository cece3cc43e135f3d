"""The event publisher port, its Kafka adapter and its recording fake.

The Kafka adapter produces with ``acks="all"`` and gzip (lz4 is not installed on Tansu).
On Apache Kafka it uses the idempotent producer, so a retried send after a lost
acknowledgement is not written twice. The Tansu broker has no InitProducerId (nor
transactions): there the producer runs without idempotence, which is safe because delivery
is at-least-once anyway and every sink is idempotent. ``idempotence="auto"`` (the default)
asks the broker and falls back only when it refuses InitProducerId.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import UnknownError, UnsupportedVersionError
from pydantic import BaseModel

from academichub.contracts import TopicName, encode_event
from academichub.platform.errors import ConfigError

log = logging.getLogger(__name__)

Idempotence = Literal["auto", "on", "off"]


class EventPublisher(Protocol):
    async def publish(self, topic: TopicName, key: str, event: BaseModel) -> None:
        """Publish one event and return once the broker acknowledged it."""
        ...

    async def publish_many(self, topic: TopicName, items: list[tuple[str, BaseModel]]) -> None:
        """Publish several events (pipelined) and return once all are acknowledged."""
        ...


class KafkaPublisher:
    """aiokafka producer with the settings the local broker and production share."""

    def __init__(
        self, bootstrap_servers: str, client_id: str, *, idempotence: Idempotence = "auto"
    ) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._idempotence = idempotence
        self._started: AIOKafkaProducer | None = None
        self.idempotent = False

    async def start(self) -> None:
        if self._idempotence != "off":
            try:
                self._started = await self._start_producer(idempotent=True)
                self.idempotent = True
                return
            except (UnknownError, UnsupportedVersionError) as exc:
                # What InitProducerId gives on a broker without it (Tansu: UnknownError).
                if self._idempotence == "on":
                    raise ConfigError(
                        f"ACADEMICHUB_PRODUCER_IDEMPOTENCE=on, but the broker at "
                        f"{self._bootstrap_servers} refuses the idempotent producer "
                        f"(InitProducerId: {exc!r}); use auto or off for this broker"
                    ) from exc
                log.warning(
                    "the broker at %s refuses the idempotent producer (InitProducerId: %r, as "
                    "Tansu does): producing without idempotence, at-least-once",
                    self._bootstrap_servers,
                    exc,
                )
        self._started = await self._start_producer(idempotent=False)

    async def _start_producer(self, *, idempotent: bool) -> AIOKafkaProducer:
        # Built here, not in __init__: aiokafka binds the producer to the running loop.
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=idempotent,
            compression_type="gzip",  # lz4 is not available on Tansu
            linger_ms=5,
        )
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        return producer

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
