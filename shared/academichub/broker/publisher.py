"""The event publisher port, its Kafka adapter and its recording fake.

The Kafka adapter produces with ``acks="all"`` and gzip (lz4 is not installed on Tansu).
On Apache Kafka it uses the idempotent producer, so a retried send after a lost
acknowledgement is not written twice. The Tansu broker has no InitProducerId (nor
transactions): there the producer runs without idempotence, which is safe because delivery
is at-least-once anyway and every sink is idempotent. ``idempotence="auto"`` (the default)
asks the broker and falls back only when it refuses InitProducerId.

How a publish fails, mapped in this one place::

    BrokerUnavailable (TransientError)  the broker cannot be reached or does not answer in
                                        time (connection, timeouts, retriable errors, and the
                                        UNKNOWN error: see below): nothing of the call is
                                        known to be stored; try it all again
    PublishRefused (PoisonEvent)        some events were refused for good -- over
                                        MAX_EVENT_BYTES (checked before sending), or the
                                        broker answered an error for them; every other event
                                        of the call was acknowledged. ``refused`` names them
    (anything else)                     a bug (a publish after stop(), say): it propagates

The UNKNOWN error (-1) names no cause, so it cannot say "never": measured on Tansu, it is
what a produce gets right after a restart when two producers race to write a partition's
first batch (Tansu logs AlreadyExists for the batch file); the same produce succeeds when
sent again. It is therefore taken as the broker being briefly unable, not as a refusal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    BrokerNotAvailableError,
    BrokerResponseError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    KafkaUnavailableError,
    NoBrokersAvailable,
    NodeNotReadyError,
    UnknownError,
    UnsupportedVersionError,
)
from pydantic import BaseModel

from academichub.contracts import TOPICS, TopicName, decode_event, encode_event
from academichub.contracts.bounds import MAX_EVENT_BYTES
from academichub.platform.errors import ConfigError, PoisonEvent, TransientError

log = logging.getLogger(__name__)

Idempotence = Literal["auto", "on", "off"]

_UNAVAILABLE = (
    BrokerNotAvailableError,
    KafkaConnectionError,
    KafkaTimeoutError,
    KafkaUnavailableError,
    NoBrokersAvailable,
    NodeNotReadyError,
)


class BrokerUnavailable(TransientError):
    """The broker could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Refusal:
    key: str
    reason: str


class PublishRefused(PoisonEvent):
    """Events refused for good; every other event of the same call was acknowledged."""

    def __init__(self, topic: TopicName, refused: Sequence[Refusal]) -> None:
        shown = "; ".join(f"{r.key}: {r.reason}" for r in refused[:3])
        more = f" (and {len(refused) - 3} more)" if len(refused) > 3 else ""
        super().__init__(f"{topic}: {len(refused)} event(s) refused: {shown}{more}")
        self.refused = tuple(refused)


class EventPublisher(Protocol):
    async def publish(self, topic: TopicName, key: str, event: BaseModel) -> None:
        """Publish one event and return once the broker acknowledged it."""
        ...

    async def publish_many(self, topic: TopicName, items: list[tuple[str, BaseModel]]) -> None:
        """Publish several events (pipelined) and return once all are acknowledged; raise
        :class:`PublishRefused` after the others were acknowledged if some were refused."""
        ...

    async def publish_encoded(self, topic: TopicName, items: list[tuple[str, bytes]]) -> None:
        """:meth:`publish_many` for events already encoded (by a writer of the topic's
        event that is checked against its model, such as
        :func:`academichub.contracts.match_groups.match_events`)."""
        ...

    async def partitions(self, topic: TopicName) -> int:
        """How many partitions ``topic`` has (the producer's partitioner spreads keys over
        them)."""
        ...


class StartedPublisher(EventPublisher, Protocol):
    """A publisher a composition root starts before use and stops (flushing) after."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class KafkaPublisher:
    """aiokafka producer with the settings the local broker and production share."""

    def __init__(
        self,
        bootstrap_servers: str,
        client_id: str,
        *,
        idempotence: Idempotence = "auto",
        max_event_bytes: int = MAX_EVENT_BYTES,
    ) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._idempotence = idempotence
        self._max_event_bytes = max_event_bytes
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
        await self.publish_many(topic, [(key, event)])

    async def publish_many(self, topic: TopicName, items: list[tuple[str, BaseModel]]) -> None:
        await self.publish_encoded(topic, [(key, encode_event(event)) for key, event in items])

    async def partitions(self, topic: TopicName) -> int:
        try:
            found = await self._producer.partitions_for(str(topic))
        except KafkaError as exc:
            raise BrokerUnavailable(f"{topic}: no partitions known: {_reason(exc)}") from exc
        return len(found)

    async def publish_encoded(self, topic: TopicName, items: list[tuple[str, bytes]]) -> None:
        refused: list[Refusal] = []
        sent: list[tuple[str, asyncio.Future[object]]] = []
        unavailable: KafkaError | None = None
        for key, value in items:
            if len(value) > self._max_event_bytes:
                reason = f"the event is {len(value)} bytes, over the {self._max_event_bytes} limit"
                refused.append(Refusal(key, reason))
                continue
            try:
                sent.append((key, await self._producer.send(str(topic), value, key=key.encode())))
            except KafkaError as exc:
                if not refused_for_good(exc):
                    unavailable = exc
                    break
                refused.append(Refusal(key, _reason(exc)))
        # Every future is awaited, even after a failure, so none is left unobserved.
        outcomes = await asyncio.gather(*(fut for _, fut in sent), return_exceptions=True)
        for (key, _), outcome in zip(sent, outcomes, strict=True):
            if isinstance(outcome, KafkaError) and refused_for_good(outcome):
                refused.append(Refusal(key, _reason(outcome)))
            elif isinstance(outcome, KafkaError):
                unavailable = unavailable or outcome
            elif isinstance(outcome, BaseException):
                raise outcome
        if unavailable is not None:
            raise BrokerUnavailable(f"{topic}: the broker is unavailable: {_reason(unavailable)}")
        if refused:
            raise PublishRefused(topic, refused)


def refused_for_good(exc: KafkaError) -> bool:
    """Whether the broker (or the client, checking what the broker would) refused this one
    event for good, as opposed to not being reachable (or not saying why: UnknownError,
    see the module docstring)."""
    if isinstance(exc, (*_UNAVAILABLE, UnknownError)) or exc.retriable:
        return False
    return isinstance(exc, BrokerResponseError)


def _reason(exc: KafkaError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


@dataclass
class RecordingPublisher:
    """In-memory fake: keeps what was published, in order; can be told to fail.

    ``fail_with`` is raised by every call; events whose key is in ``refuse`` are refused as
    the Kafka adapter refuses them (the others of the call are kept, then
    :class:`PublishRefused` is raised).
    """

    sent: list[tuple[TopicName, str, BaseModel]] = field(default_factory=list)
    # Partitions per topic where not the registry's.
    partition_counts: dict[TopicName, int] = field(default_factory=dict)
    fail_with: Exception | None = None
    refuse: dict[str, str] = field(default_factory=dict)  # key -> reason
    running: bool = False

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False

    async def publish(self, topic: TopicName, key: str, event: BaseModel) -> None:
        await self.publish_many(topic, [(key, event)])

    async def publish_many(self, topic: TopicName, items: list[tuple[str, BaseModel]]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        refused = [Refusal(key, self.refuse[key]) for key, _ in items if key in self.refuse]
        self.sent.extend((topic, key, event) for key, event in items if key not in self.refuse)
        if refused:
            raise PublishRefused(topic, refused)

    async def publish_encoded(self, topic: TopicName, items: list[tuple[str, bytes]]) -> None:
        """Kept decoded, as the consumers will read them (a writer's mistake fails here)."""
        await self.publish_many(topic, [(key, decode_event(topic, value)) for key, value in items])

    async def partitions(self, topic: TopicName) -> int:
        return self.partition_counts.get(topic, TOPICS[topic].partitions)

    def on(self, topic: TopicName) -> list[BaseModel]:
        return [event for t, _, event in self.sent if t == topic]
