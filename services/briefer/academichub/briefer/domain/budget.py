"""Daily token budgets per radar and per user (the radar's owner).

A researcher with many radars, or one radar with a huge window, must not run up the
institution's bill: each UTC day a radar may spend ``per_radar`` tokens and its owner
``per_user`` across all their radars. A briefing that would not fit what is left is
written extractively instead, and says why; the next day starts afresh. Usage lives in
the store (:class:`academichub.store.port.TokenUsageStore`), so restarts and several
briefer instances share it.

Shared per-paper TL;DRs are not charged here (see :mod:`.summaries`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from academichub.contracts import Radar
from academichub.store.door import AsyncStore
from academichub.store.port import TokenUsageStore

Scope = Literal["radar", "user"]


@dataclass(frozen=True)
class DailyLimits:
    per_radar: int
    per_user: int


@dataclass(frozen=True)
class Allowance:
    remaining: int  # tokens the radar may still spend today
    scope: Scope  # which limit is the tighter one
    limit: int

    def blocked(self) -> bool:
        return self.remaining <= 0

    def reason(self, needed: int | None = None) -> str:
        whose = "this radar" if self.scope == "radar" else "the radar's owner"
        if needed is None or self.remaining <= 0:
            return (
                f"daily token budget of {whose} is used up ({self.limit} tokens a day); "
                "model briefings resume after 00:00 UTC"
            )
        return (
            f"daily token budget of {whose} has {self.remaining} of {self.limit} tokens left "
            f"and this briefing needs about {needed}"
        )


def _accounts(radar: Radar) -> tuple[str, str]:
    return (f"radar:{radar.id}", f"user:{radar.owner}")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TokenLedger:
    def __init__(
        self,
        store: AsyncStore[TokenUsageStore],
        limits: DailyLimits,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._store = store
        self._limits = limits
        self._clock = clock

    def _today(self) -> dt.date:
        now = self._clock()
        return (now if now.tzinfo is None else now.astimezone(dt.UTC)).date()

    async def allowance(self, radar: Radar) -> Allowance:
        day, accounts = self._today(), _accounts(radar)
        used = await self._store.run(lambda s: s.token_usage(day, accounts))
        by_radar = Allowance(
            self._limits.per_radar - used[accounts[0]], "radar", self._limits.per_radar
        )
        by_user = Allowance(
            self._limits.per_user - used[accounts[1]], "user", self._limits.per_user
        )
        return by_radar if by_radar.remaining <= by_user.remaining else by_user

    async def charge(self, radar: Radar, tokens: int) -> None:
        if tokens <= 0:
            return
        day, accounts = self._today(), _accounts(radar)
        await self._store.run(lambda s: s.add_token_usage(day, accounts, tokens))
