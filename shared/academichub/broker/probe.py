"""The broker readiness probe: a port, its aiokafka adapter and a fake.

Readiness asks one question: does the broker answer right now (could the gateway publish
a radar change, could a consumer fetch)? A consumer whose broker is away polls nothing
without raising, so every service asks this too. The adapter answers by fetching cluster
metadata over a fresh connection, bounded by a short timeout so a dead broker makes
``/readyz`` slow by seconds, not minutes. :func:`broker_answer` turns it into a readiness
check's answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError


class BrokerUnavailable(Exception):
    """The broker did not answer the probe; the message says what was tried."""


class BrokerProbe(Protocol):
    async def check(self) -> None:
        """Return if the broker answers; raise :class:`BrokerUnavailable` otherwise."""
        ...


class KafkaBrokerProbe:
    """Bootstraps a throw-away aiokafka client: connect, fetch metadata, close."""

    def __init__(
        self, bootstrap_servers: str, timeout_seconds: float = 2.0, client_id: str = "academichub"
    ) -> None:
        self._servers = bootstrap_servers
        self._timeout = timeout_seconds
        self._client_id = f"{client_id}-probe"

    async def check(self) -> None:
        client = AIOKafkaClient(
            bootstrap_servers=self._servers,
            client_id=self._client_id,
            request_timeout_ms=int(self._timeout * 1000),
        )
        try:
            async with asyncio.timeout(self._timeout):
                await client.bootstrap()
        except (KafkaError, TimeoutError, OSError) as exc:
            reason = str(exc) or type(exc).__name__
            raise BrokerUnavailable(
                f"Kafka at {self._servers} did not answer within {self._timeout:g}s ({reason})"
            ) from exc
        finally:
            await client.close()


@dataclass
class FakeBrokerProbe:
    """For tests: healthy unless ``failure`` is set; counts how often it was asked."""

    failure: str | None = None
    calls: int = 0

    async def check(self) -> None:
        self.calls += 1
        if self.failure is not None:
            raise BrokerUnavailable(self.failure)


async def broker_answer(probe: BrokerProbe) -> str:
    """ "ok", or why the broker does not answer (a readiness check's answer)."""
    try:
        await probe.check()
    except BrokerUnavailable as exc:
        return str(exc)
    return "ok"
