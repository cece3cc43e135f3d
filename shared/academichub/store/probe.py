"""The readiness check every service makes of its store: does it answer a ping in time?"""

from __future__ import annotations

import asyncio
from typing import Protocol

from academichub.store.door import AsyncStore


class Pingable(Protocol):
    def ping(self) -> None: ...


async def store_answer(store: AsyncStore[Pingable], within: float) -> str:
    """Why the store is not usable (its error, or no answer within ``within`` seconds: the
    ping is abandoned then, it has no effect to wait for), or "ok"."""
    try:
        async with asyncio.timeout(within):
            await store.run(lambda s: s.ping(), abandon_on_cancel=True)
    except TimeoutError:
        return f"no answer within {within:g}s"
    # Readiness reports any store failure as its answer; it does not handle it.
    except Exception as exc:
        return str(exc) or type(exc).__name__
    return "ok"
