"""The broker readiness probe: a port, its aiokafka adapter and a fake.

Readiness asks one question: could the gateway publish a radar change right now?
The adapter answers it by fetching cluster metadata over a fresh connection, bounded
by a short timeout so a dead broker makes ``/readyz`` slow by seconds, not minutes.
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

    def __init__(self, bootstrap_servers: str, timeout_seconds: float = 2.0) -> None:
        self._servers = bootstrap_servers
        self._timeout = timeout_seconds

    async def check(self) -> None:
        client = AIOKafkaClient(
            bootstrap_servers=self._servers,
            client_id="academichub-gateway-probe",
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
