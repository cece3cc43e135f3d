"""When a matcher is ready: radars loaded, both consumers consuming, the store answering.

Not ready (``/readyz`` 503, naming why) while the radars are still loading, while either
consumer loop (``papers``, ``radars``) is not running or has not polled for
``stall_seconds`` (a batch in hand takes seconds at most; longer means it is stuck), or
while the store does not answer a ping within ``probe_timeout_seconds``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from academichub.broker.consumer import ConsumerProgress
from academichub.matcher.registry import RadarRegistry
from academichub.platform.health_app import Readiness
from academichub.store.door import AsyncStore


class Pingable(Protocol):
    def ping(self) -> None: ...


@dataclass
class MatcherReadiness:
    store: AsyncStore[Pingable]
    registry: RadarRegistry
    consumers: Mapping[str, ConsumerProgress]
    stall_seconds: float
    probe_timeout_seconds: float
    radars_loaded: bool = field(default=False)

    async def __call__(self) -> Readiness:
        checks = {"radars": "ok" if self.radars_loaded else "loading from the store"}
        for name, progress in self.consumers.items():
            checks[f"consumer {name}"] = progress.describe(self.stall_seconds)
        checks["store"] = await self._store_answer()
        return Readiness(checks, {"radars": len(self.registry)})

    async def _store_answer(self) -> str:
        try:
            async with asyncio.timeout(self.probe_timeout_seconds):
                await self.store.run(lambda s: s.ping(), abandon_on_cancel=True)
        except TimeoutError:
            return f"no answer within {self.probe_timeout_seconds:g}s"
        # Readiness reports any store failure as its answer; it does not handle it.
        except Exception as exc:
            return str(exc) or type(exc).__name__
        return "ok"
